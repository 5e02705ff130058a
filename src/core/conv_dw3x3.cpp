// Depthwise 3x3 convolution family (operator side).
// Not implemented yet: the family rejects every shape, so `auto` never picks
// it and forcing it raises a clear error.
#include "core/conv_impl.h"

namespace armconv {
namespace detail {

const char* dw3x3_conv_rejects(const Conv2dParams&) {
  return "the depthwise 3x3 kernels are not part of this build yet";
}

ConvImplPtr make_dw3x3_conv(const Conv2dParams&, const float*, const float*) {
  throw Error("depthwise3x3 is not available");
}

}  // namespace detail
}  // namespace armconv
