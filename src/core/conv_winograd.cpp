// Winograd F(6x6, 3x3) family (operator side).
// Not implemented yet: the family rejects every shape, so `auto` never picks
// it and forcing it raises a clear error.
#include "core/conv_impl.h"

namespace armconv {
namespace detail {

const char* winograd63_conv_rejects(const Conv2dParams&) {
  return "the Winograd kernels are not part of this build yet";
}

bool winograd63_conv_pays(const Conv2dParams&) { return false; }

ConvImplPtr make_winograd63_conv(const Conv2dParams&, const float*, const float*) {
  throw Error("winograd63 is not available");
}

}  // namespace detail
}  // namespace armconv
