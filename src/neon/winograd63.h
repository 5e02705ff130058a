// NEON Winograd F(6x6, 3x3): the assembly text of its 1-D transforms
// (WA_IN_1D, WA_OUT_1D: the same operations as wino::F63 in
// core/winograd_kernels.h, spelled for aarch64 or A32 by the operation
// macros of neon/winograd.h), shared by neon/aarch64/winograd63_nc4.cpp and
// neon/armv7/winograd63_nc4.cpp. Register use per 1-D transform of 8: 8
// inputs, 8 outputs (reusing inputs as they die), 2 partial sums, 3 constant
// registers; within aarch64's 32 and close to armv7's 16 q registers.
#pragma once

#include "neon/winograd.h"

// B^T d on 8 vectors d0..d7 (27 instructions, the same operations as
// wino::input_1d), temporaries T1..T3; constants v0 = {5.25, 4.25, 0.25,
// 1.25}, v1 = {0.5, 2.5, 2, 4} (kInConstValues). Results:
//   t0 = d0, t1 = T3, t2 = T1, t3 = d2, t4 = d4, t5 = d3, t6 = d6, t7 = d7.
#define WA_IN_1D(d0, d1, d2, d3, d4, d5, d6, d7, T1, T2, T3)                          \
  WA_FSUB(T1, d4, d2)      /* t0 = (d0 - d6) + 5.25 (d4 - d2) */                     \
  WA_FSUB(d0, d0, d6)                                                                 \
  WA_FMLA(d0, T1, 0, 0)                                                               \
  WA_FSUB(T1, d3, d5)      /* t7 = (d7 - d1) + 5.25 (d3 - d5) */                     \
  WA_FSUB(d7, d7, d1)                                                                 \
  WA_FMLA(d7, T1, 0, 0)                                                               \
  WA_FADD(T1, d2, d6)      /* a = d2 + d6 - 4.25 d4 */                                \
  WA_FMLS(T1, d4, 0, 1)                                                               \
  WA_FADD(T2, d1, d5)      /* b = d1 + d5 - 4.25 d3 */                                \
  WA_FMLS(T2, d3, 0, 1)                                                               \
  WA_FADD(T3, T1, T2)      /* t1 = a + b */                                           \
  WA_FSUB(T1, T1, T2)      /* t2 = a - b */                                           \
  WA_FMUL(T2, d4, 0, 3)    /* q = 1.25 d4 */                                          \
  WA_FSUB(d4, d6, T2)      /* a = (d6 - q) + 0.25 d2 */                               \
  WA_FMLA(d4, d2, 0, 2)                                                               \
  WA_FSUB(d2, d2, T2)      /* a' = d6 + 4 (d2 - q) */                                 \
  WA_FMLA(d6, d2, 1, 3)                                                               \
  WA_FMUL(T2, d1, 1, 0)    /* b = 0.5 d1 - 2.5 d3 + 2 d5 */                           \
  WA_FMLS(T2, d3, 1, 1)                                                               \
  WA_FMLA(T2, d5, 1, 2)                                                               \
  WA_FADD(d2, d4, T2)      /* t3 = a + b */                                           \
  WA_FSUB(d4, d4, T2)      /* t4 = a - b */                                           \
  WA_FMUL(d1, d1, 1, 2)    /* b' = 2 d1 - 2.5 d3 + 0.5 d5 */                          \
  WA_FMLS(d1, d3, 1, 1)                                                               \
  WA_FMLA(d1, d5, 1, 0)                                                               \
  WA_FADD(d3, d6, d1)      /* t5 = a' + b' */                                         \
  WA_FSUB(d6, d6, d1)      /* t6 = a' - b' */

// A^T m on 8 vectors m0..m7 -> 6 (22 instructions: the 20 of
// wino::output_1d plus two copies, since s1 and d1 each start two fmla
// chains), temporaries X1, X2; Y5 may be m7. Constants v0 = {2, 0.5, 4,
// 0.25}, v1 = {8, 1/8, 16, 1/16}, v2 = {32, 1/32, -, -} (kOutConstValues).
// Results: y0..y3 = m0..m3, y4 = X1, y5 = Y5.
#define WA_OUT_1D(m0, m1, m2, m3, m4, m5, m6, m7, X1, X2, Y5)                         \
  WA_FADD(X1, m1, m2)      /* s1 */                                                   \
  WA_FSUB(m1, m1, m2)      /* d1 */                                                   \
  WA_FADD(X2, m3, m4)      /* s3 */                                                   \
  WA_FSUB(m4, m3, m4)      /* d3 */                                                   \
  WA_FADD(m3, m5, m6)      /* s5 */                                                   \
  WA_FSUB(m5, m5, m6)      /* d5 */                                                   \
  WA_FADD(m0, m0, X1)      /* y0 = (m0 + s1) + (s3 + s5) */                           \
  WA_FADD(m6, X2, m3)                                                                 \
  WA_FADD(m0, m0, m6)                                                                 \
  WA_MOV(m2, X1)           /* y2 = s1 + 4 s3 + s5 / 4 */                              \
  WA_FMLA(m2, X2, 0, 2)                                                               \
  WA_FMLA(m2, m3, 0, 3)                                                               \
  WA_FMLA(X1, X2, 1, 2)    /* y4 = s1 + 16 s3 + s5 / 16 */                            \
  WA_FMLA(X1, m3, 1, 3)                                                               \
  WA_FADD(Y5, m7, m1)      /* y5 = (d1 + m7) + 32 d3 + d5 / 32 */                     \
  WA_FMLA(Y5, m4, 2, 0)                                                               \
  WA_FMLA(Y5, m5, 2, 1)                                                               \
  WA_MOV(m3, m1)           /* y3 = d1 + 8 d3 + d5 / 8 */                              \
  WA_FMLA(m3, m4, 1, 0)                                                               \
  WA_FMLA(m3, m5, 1, 1)                                                               \
  WA_FMLA(m1, m4, 0, 0)    /* y1 = d1 + 2 d3 + d5 / 2 */                              \
  WA_FMLA(m1, m5, 0, 1)

