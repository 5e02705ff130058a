// NEON Winograd F(4x4, 3x3): the assembly text of its 1-D transforms (the
// same operations, in the same order, as wino::F43 in
// core/winograd_kernels.h), spelled for aarch64 or A32 by the operation
// macros of neon/winograd.h; used by neon/aarch64/winograd43_nc4.cpp.
// Register arguments are numbers; every destructive multiply-accumulate
// accumulates into a value that dies, so no register copies are needed.
#pragma once

#include "neon/winograd.h"

// B^T d on 6 vectors d0..d5 (13 instructions), temporaries T1..T5;
// constants in register C: lane 0 = 4, lane 1 = 2 (kIn43ConstValues).
// Results: t0 = T1, t1 = T3, t2 = T4, t3 = T5, t4 = d1, t5 = d5.
#define W43_IN_1D(d0, d1, d2, d3, d4, d5, T1, T2, T3, T4, T5, C)                       \
  WA_FSUB(T1, d4, d2)      /* c = d4 - d2 */                                          \
  WA_FSUB(T2, d3, d1)      /* e2 = 2 (d3 - d1) */                                     \
  WA_FADD(T2, T2, T2)                                                                 \
  WA_FSUB(d5, d5, d3)      /* t5 = (d5 - d3) - 2 e2 */                                \
  WA_FMLS(d5, T2, C, 1)                                                               \
  WA_FMLS(d4, d2, C, 0)    /* a = d4 - 4 d2 */                                        \
  WA_FMLS(d3, d1, C, 0)    /* b = d3 - 4 d1 */                                        \
  WA_FADD(T3, d4, d3)      /* t1 = a + b */                                           \
  WA_FSUB(T4, d4, d3)      /* t2 = a - b */                                           \
  WA_FADD(T5, T1, T2)      /* t3 = c + e2 */                                          \
  WA_FSUB(d1, T1, T2)      /* t4 = c - e2 */                                          \
  WA_FSUB(d0, d0, d2)      /* t0 = c + 4 (d0 - d2) */                                 \
  WA_FMLA(T1, d0, C, 0)

// A^T m on 6 vectors m0..m5 -> 4 (10 instructions), temporaries X1..X4;
// constants in register C: lane 0 = 2, lane 1 = 4, lane 2 = 8
// (kOut43ConstValues). Results: y0 = m0, y1 = X1, y2 = X2, y3 = m5.
#define W43_OUT_1D(m0, m1, m2, m3, m4, m5, X1, X2, X3, X4, C)                           \
  WA_FADD(X2, m1, m2)      /* s1 */                                                   \
  WA_FSUB(X1, m1, m2)      /* d1 */                                                   \
  WA_FADD(X3, m3, m4)      /* s3 */                                                   \
  WA_FSUB(X4, m3, m4)      /* d3 */                                                   \
  WA_FADD(m5, m5, X1)      /* y3 = (d1 + m5) + 8 d3 */                                \
  WA_FMLA(m5, X4, C, 2)                                                               \
  WA_FADD(m0, m0, X2)      /* y0 = (m0 + s1) + s3 */                                  \
  WA_FADD(m0, m0, X3)                                                                 \
  WA_FMLA(X1, X4, C, 0)    /* y1 = d1 + 2 d3 */                                       \
  WA_FMLA(X2, X3, C, 1)    /* y2 = s1 + 4 s3 */
