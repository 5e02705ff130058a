// The Winograd per-position GEMM alone (wino_gemm_fn, core/winograd.h), as
// the dispatch table runs it: 8 output channels x n tiles x K (= 4 kq), zero
// init, packed V, C rows of 8 (ldc = 8).
//   wgemm_8x<n>_k<K>: 100 calls per case call over 100 different U/V/C blocks
//   (one per transform position, as the operator runs them; 8 * n * K MACs
//   each), call overhead included.
// Bound: 4 MACs per instruction (fmla .4s); a quad of 8 tiles is 64 fmla +
// 4 loads (3.76 MACs per instruction before loop and call overhead).
#include <algorithm>
#include <memory>
#include <string>

#include "bench_cases.h"
#include "core/buffer.h"
#include "core/dispatch.h"
#include "core/winograd.h"

using namespace armconv;
using namespace armconv::bench;
using namespace armconv::detail;

static int wino_gemm_reg = [] {
  // (n, kq): the four tile counts at K = 64, and n = 8 at K = 32 and 128 to
  // show the per-call overhead.
  const size_t shapes[][2] = {{8, 16}, {7, 16}, {4, 16}, {1, 16}, {8, 8}, {8, 32}, {16, 16}, {25, 16}};
  for (const auto& shape : shapes) {
    const size_t n = shape[0], kq = shape[1], calls = 100;
    add_case({"wgemm_8x" + std::to_string(n) + "_k" + std::to_string(4 * kq),
              double(calls * 8 * n * 4 * kq), [n, kq, calls]() -> std::function<void()> {
                const size_t u_floats = 32 * kq, v_floats = kq * 4 * n, c_floats = 8 * n;
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
                  const wino_gemm_fn gemm = kernels().winograd->gemm;
                  const float* pu = u->data();
                  const float* pv = v->data();
                  float* pc = c->data();
                  for (size_t p = 0; p < calls; p++, pu += u_floats, pv += v_floats, pc += c_floats)
                    gemm(1, n, kq, pu, 32 * kq, pv, pc, 8, nullptr, false);
                };
              }});
  }
  return 0;
}();
