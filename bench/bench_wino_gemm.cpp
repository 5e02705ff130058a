// The Winograd per-position GEMM alone (wino_gemm_fn, core/winograd.h), as
// the dispatch table runs it: 8 output channels x n tiles x K = 64 (kq = 16),
// zero init, packed V (v_quad = 4n), C rows of 8 (ldc = 8).
//   wgemm_8x<n>_k64: 100 calls per case call over 100 different U/V/C blocks
//   (one per transform position, as the operator runs them; 8 * n * 64 MACs
//   each), so call overhead is counted but cache-line reuse does not hide it.
// Bound: 4 MACs per instruction (fmla .4s); a quad of 8 tiles is 64 fmla +
// 4 loads.
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
  for (size_t n : {8, 7, 4, 1}) {
    constexpr size_t kq = 16, calls = 100;
    add_case({"wgemm_8x" + std::to_string(n) + "_k64", double(calls * 8 * n * 4 * kq),
              [n]() -> std::function<void()> {
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
                    gemm(n, kq, pu, pv, 4 * n, pc, 8, nullptr, false);
                };
              }});
  }
  return 0;
}();
