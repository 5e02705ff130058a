// Uses the installed armconv: a 3x3 convolution through armconv::Conv2d and
// a GEMM, each checked against a plain loop; prints what the CPU runs.
#include <armconv/armconv.h>
#include <armconv/quant.h>

#include <cmath>
#include <cstdio>
#include <vector>

int main() {
  armconv::Conv2dParams p;
  p.in_channels = 3;
  p.out_channels = 5;
  p.kernel_h = p.kernel_w = 3;
  p.pad_top = p.pad_bottom = p.pad_left = p.pad_right = 1;
  const int64_t h = 7, w = 6;
  std::vector<float> x(3 * h * w), wt(5 * 3 * 9), b(5), y(5 * h * w);
  for (size_t i = 0; i < x.size(); i++) x[i] = float(int(i * 7 % 13) - 6) / 4.0f;
  for (size_t i = 0; i < wt.size(); i++) wt[i] = float(int(i * 5 % 11) - 5) / 8.0f;
  for (size_t i = 0; i < b.size(); i++) b[i] = float(i);
  armconv::Conv2d layer(p, wt.data(), b.data());
  layer.run(x.data(), 1, h, w, y.data());
  double err = 0.0;
  for (int o = 0; o < 5; o++)
    for (int oy = 0; oy < h; oy++)
      for (int ox = 0; ox < w; ox++) {
        double acc = b[o];
        for (int c = 0; c < 3; c++)
          for (int ky = 0; ky < 3; ky++)
            for (int kx = 0; kx < 3; kx++) {
              const int iy = oy + ky - 1, ix = ox + kx - 1;
              if (iy < 0 || iy >= h || ix < 0 || ix >= w) continue;
              acc += double(x[(c * h + iy) * w + ix]) * wt[((o * 3 + c) * 3 + ky) * 3 + kx];
            }
        err = std::fmax(err, std::fabs(acc - y[(o * h + oy) * w + ox]));
      }
  std::vector<int8_t> a8 = {1, -2, 3, 4, 5, -6}, b8 = {7, 8, -9, 10, 11, 12};
  std::vector<int32_t> c8(4);
  armconv::gemm_s8(2, 2, 3, a8.data(), 3, b8.data(), 2, c8.data(), 2);
  const bool gemm_ok = c8[0] == 1 * 7 - 2 * -9 + 3 * 11 && c8[3] == 4 * 8 + 5 * 10 - 6 * 12;
  const armconv::CpuInfo info = armconv::cpu_info();
  std::printf("armconv consumer: algo %s, max error %.3g, gemm_s8 %s; %s neon=%d neon_kernels=%d sgemm=%s\n",
              armconv::algo_name(layer.algo()), err, gemm_ok ? "ok" : "WRONG", info.arch.c_str(),
              int(info.neon), int(info.neon_kernels), info.sgemm.c_str());
  return err < 1e-4 && gemm_ok ? 0 : 1;
}
