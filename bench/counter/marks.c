/* The region marks of marks.h as a shared library, for programs that cannot
 * compile them in: a guest Python loads it with ctypes (bench/guest_marks.py).
 * bench/qcount.py cross-builds it (libarmconv_marks.so). */
#include "marks.h"

void armconv_region_on(void) { armconv_mark_region_on(); }
void armconv_region_off(void) { armconv_mark_region_off(); }
void armconv_pause(void) { armconv_mark_pause(); }
void armconv_resume(void) { armconv_mark_resume(); }
