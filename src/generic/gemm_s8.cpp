// Portable int8 GEMM: a register-tile micro-kernel for any packed format
// (k grouped by 16 for the smull path, by 4 for the sdot path, by 8 for the
// i8mm path; core/gemm.h)
// over the packers of generic/gemm_generic.h, with the output stage of
// core/requant.h in scalar code. The default table has the aarch64 smull tile
// (4 x 4, KR 16); the other tiles are instantiated for tests that compare a
// NEON table with its twin panel by panel.
#include "core/gemm.h"
#include "core/requant.h"
#include "generic/gemm_generic.h"

namespace armconv {
namespace detail {
namespace generic {
namespace {

// One output row segment through the output stage.
void store_row(const int32_t* acc, size_t r, size_t n, void* c, size_t ldc, const S8Output& out) {
  switch (out.kind) {
    case S8OutKind::Int32: {
      int32_t* cr = static_cast<int32_t*>(c) + r * ldc;
      for (size_t j = 0; j < n; j++) cr[j] = acc[j];
      break;
    }
    case S8OutKind::Int8: {
      int8_t* cr = static_cast<int8_t*>(c) + r * ldc;
      for (size_t j = 0; j < n; j++)
        cr[j] = int8_t(s8_requant(acc[j], out.mult[r], out.shift, out.qmin, out.qmax));
      break;
    }
    case S8OutKind::Float: {
      float* cr = static_cast<float*>(c) + r * ldc;
      for (size_t j = 0; j < n; j++) {
        float v = float(acc[j]) * out.fscale[r];
        if (out.fclamp) v = v < out.fmin ? out.fmin : (v > out.fmax ? out.fmax : v);
        cr[j] = v;
      }
      break;
    }
  }
}

template <size_t MR, size_t NR, size_t KR>
void ukernel(size_t k, size_t m, size_t n, const int8_t* a, const int8_t* b, void* c, size_t ldc,
             const S8Output& out, unsigned /*flags: K is never split*/) {
  const size_t groups = div_up(k, KR), es = out_elem_bytes(out);
  for (size_t q = 0; q < n; q += NR, b += NR * KR * groups) {
    int32_t acc[MR][NR];
    for (size_t r = 0; r < MR; r++)
      for (size_t j = 0; j < NR; j++) acc[r][j] = out.bias[r];
    for (size_t g = 0; g < groups; g++) {
      const int8_t* ag = a + g * MR * KR;
      const int8_t* bg = b + g * NR * KR;
      for (size_t r = 0; r < MR; r++)
        for (size_t j = 0; j < NR; j++) {
          int32_t s = 0;
          for (size_t i = 0; i < KR; i++) s += int32_t(ag[r * KR + i]) * int32_t(bg[j * KR + i]);
          acc[r][j] += s;
        }
    }
    const size_t cols = n - q < NR ? n - q : NR;
    void* cq = static_cast<char*>(c) + q * es;
    for (size_t r = 0; r < m; r++) store_row(acc[r], r, cols, cq, ldc, out);
  }
}

template <size_t MR, size_t NR, size_t KR>
const S8GemmKernels& table(const char* name) {
  static const S8GemmKernels t = {name,
                                  MR,
                                  NR,
                                  KR,
                                  ukernel<MR, NR, KR>,
                                  pack_a<int8_t, MR, KR>,
                                  pack_b<int8_t, int8_t, NR, KR>,
                                  pack_im2col<int8_t, int8_t, NR, KR>};
  return t;
}

}  // namespace
}  // namespace generic

const S8GemmKernels& gemm_s8_generic_kernels() {
  return generic::table<4, 4, 16>("gemm_s8-generic-4x4k16");
}

const S8GemmKernels* gemm_s8_generic_kernels_for(size_t mr, size_t nr, size_t kr) {
  if (mr == 4 && nr == 4 && kr == 16) return &generic::table<4, 4, 16>("gemm_s8-generic-4x4k16");
  if (mr == 4 && nr == 2 && kr == 16) return &generic::table<4, 2, 16>("gemm_s8-generic-4x2k16");
  if (mr == 8 && nr == 12 && kr == 4) return &generic::table<8, 12, 4>("gemm_s8-generic-8x12k4");
  if (mr == 8 && nr == 8 && kr == 8) return &generic::table<8, 8, 8>("gemm_s8-generic-8x8k8");
  return nullptr;
}

}  // namespace detail
}  // namespace armconv
