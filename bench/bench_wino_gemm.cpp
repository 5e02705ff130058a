// The Winograd per-position GEMM alone (wino_gemm_fn, core/winograd.h), as
// the dispatch table runs it: m = 8 m8 output channels x n tiles x K (= 4 kq),
// zero init, packed U and V, C rows of m (ldc = m).
//   wgemm_<m>x<n>_k<K>: 100 calls per case call over 100 different U/V/C
//   blocks (one per transform position, as the operator runs them; m * n * K
//   MACs each), call overhead included.
// Bound: 4 MACs per instruction (fmla .4s); a quad of 8 tiles is 64 fmla +
// 4 loads (3.76 MACs per instruction before loop and call overhead).
#include <algorithm>
#include <memory>
#include <string>

#include "bench_cases.h"
#include "core/buffer.h"
#include "core/dispatch.h"
#include "core/wino_gemm.h"

using namespace armconv;
using namespace armconv::bench;
using namespace armconv::detail;

static int wino_gemm_reg = [] {
  // (channel blocks m8, tiles n, k-quads kq): one 8-channel block at K = 64
  // for 8, 7, 4 and 1 tiles (the tails), and whole positions as the operator
  // calls them: 64 channels x 8, 16, 25 tiles at K = 64, 32 x 32 at K = 32.
  const size_t shapes[][3] = {{1, 8, 16}, {1, 7, 16}, {1, 4, 16}, {1, 1, 16}, {1, 8, 8},
                              {1, 8, 32}, {8, 8, 16}, {8, 16, 16}, {8, 25, 16}, {4, 32, 8}};
  for (const auto& shape : shapes) {
    const size_t m8 = shape[0], n = shape[1], kq = shape[2], calls = 100;
    add_case({"wgemm_" + std::to_string(8 * m8) + "x" + std::to_string(n) + "_k" + std::to_string(4 * kq),
              double(calls * 8 * m8 * n * 4 * kq), [m8, n, kq, calls]() -> std::function<void()> {
                const size_t u_floats = 32 * kq * m8, v_floats = kq * 4 * n, c_floats = 8 * m8 * n;
                auto u = std::make_shared<Buffer<float>>(calls * u_floats);
                auto v = std::make_shared<Buffer<float>>(calls * v_floats);
                auto c = std::make_shared<Buffer<float>>(calls * c_floats);
                auto r = random_floats(u->size(), 11);
                std::copy(r.begin(), r.end(), u->data());
                r = random_floats(v->size(), 12);
                std::copy(r.begin(), r.end(), v->data());
                // Raw pointers in the loop: the call through a function pointer
                // would make the compiler reload them from the shared_ptrs.
                return [=] {
                  const wino_gemm_fn gemm = kernels().wino_gemm->gemm;
                  const float* pu = u->data();
                  const float* pv = v->data();
                  float* pc = c->data();
                  for (size_t p = 0; p < calls; p++, pu += u_floats, pv += v_floats, pc += c_floats)
                    gemm(m8, n, kq, pu, 32 * kq, pv, pc, 8 * m8, nullptr, false);
                };
              }});
  }
  return 0;
}();
