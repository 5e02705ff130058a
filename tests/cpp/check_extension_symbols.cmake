# cmake -DNM=<nm> -DLIB=<libarmconv_core.a> -DEXTS="dotprod;fp16;i8mm"
#       -DUNITS="<extension sources built>" [-DEXTRA_MEMBERS="<file names>"]
#       -P check_extension_symbols.cmake
#
# Fails if a global or weak symbol is defined both in an ISA-extension object
# (a member named *_<ext>.cpp.o, or one of EXTRA_MEMBERS: the armv7 NEON units
# when the compiler's baseline has no NEON) and in a baseline object of the
# library. Such
# a symbol (an inline function or template instantiation emitted out of line
# in both) is merged by the linker into one definition, which may be the one
# compiled with -march=armv8.2-a+...: a Pi 4 calling it from baseline code
# would die with SIGILL.

# Parses `nm -A` output into the symbols defined (global or weak) in
# extension objects and in baseline objects.
function(defined_symbols listing ext_out base_out)
  string(REPLACE ";" "\\;" listing "${listing}")
  string(REPLACE "\n" ";" lines "${listing}")
  if(EXTRA_ALT)
    set(ext_re "(_(${EXT_ALT})\\.cpp|^(${EXTRA_ALT}))\\.o(bj)?$")
  else()
    set(ext_re "_(${EXT_ALT})\\.cpp\\.o(bj)?$")
  endif()
  set(ext_syms "")
  set(base_syms "")
  foreach(line IN LISTS lines)
    # GNU: lib.a:member.o:0000000000000000 T name   llvm: lib.a:member.o: 0000000000000000 T name
    if(NOT line MATCHES "^(.*):([^:]+\\.o(bj)?): *([0-9a-fA-F]*) +([A-Za-z]) +(.+)$")
      continue()
    endif()
    set(member "${CMAKE_MATCH_2}")
    set(type "${CMAKE_MATCH_5}")
    set(name "${CMAKE_MATCH_6}")
    # Defined and global (upper case but U) or GNU unique (u).
    if(type STREQUAL "U" OR NOT (type MATCHES "^[A-Z]$" OR type STREQUAL "u"))
      continue()
    endif()
    # DW.ref.__gxx_personality_v0: a data word the compiler emits (weak) in
    # every unit with exception tables, holding the address of the C++
    # personality routine; no code.
    if(name MATCHES "^DW\\.ref\\.")
      continue()
    endif()
    if(member MATCHES "${ext_re}")
      list(APPEND ext_syms "${name}@${member}")
    else()
      list(APPEND base_syms "${name}")
    endif()
  endforeach()
  set(${ext_out} "${ext_syms}" PARENT_SCOPE)
  set(${base_out} "${base_syms}" PARENT_SCOPE)
endfunction()

function(shared_symbols listing out)
  defined_symbols("${listing}" ext base)
  set(shared "")
  foreach(e IN LISTS ext)
    string(REGEX REPLACE "@[^@]*$" "" name "${e}")
    list(FIND base "${name}" at)
    if(NOT at EQUAL -1)
      list(APPEND shared "${e}")
    endif()
  endforeach()
  set(${out} "${shared}" PARENT_SCOPE)
endfunction()

string(REPLACE ";" "|" EXT_ALT "${EXTS}")
# EXTRA_MEMBERS: source file names (sgemm_6x8.cpp), '.' quoted for the regex.
string(REPLACE "." "\\." EXTRA_ALT "${EXTRA_MEMBERS}")
string(REPLACE ";" "|" EXTRA_ALT "${EXTRA_ALT}")

# Self-check: a symbol defined in both kinds of object is found; local ones
# and a symbol only one side defines are not.
set(sample "lib.a:gemm_dotprod.cpp.o:0000000000000010 W _Z6sharedv
lib.a:gemm.cpp.o:0000000000000020 W _Z6sharedv
lib.a:gemm_dotprod.cpp.o:0000000000000030 T gemm_s8_dotprod_kernels
lib.a:gemm_dotprod.cpp.o:0000000000000040 t _ZN12_GLOBAL__N_14tileEv
lib.a:gemm.cpp.o:0000000000000040 t _ZN12_GLOBAL__N_14tileEv
lib.a:gemm.cpp.o:                 U gemm_s8_dotprod_kernels
lib.a:dispatch.cpp.o: 0000000000000000 T _Z8kernelsv
lib.a:x_fp16.cpp.o: 0000000000000000 V _Z8kernelsv
lib.a:gemm_dotprod.cpp.o:0000000000000000 V DW.ref.__gxx_personality_v0
lib.a:gemm.cpp.o:0000000000000000 V DW.ref.__gxx_personality_v0")
shared_symbols("${sample}" found)
if(NOT found STREQUAL "_Z6sharedv@gemm_dotprod.cpp.o;_Z8kernelsv@x_fp16.cpp.o")
  message(FATAL_ERROR "check_extension_symbols: self-check failed, found '${found}'")
endif()
# ... and a unit named in EXTRA_MEMBERS is an extension object (a name that
# merely ends the same way is not).
set(_extra "${EXTRA_ALT}")
set(EXTRA_ALT "sgemm_6x8\\.cpp")
set(sample "lib.a:sgemm_6x8.cpp.o:0000000000000010 W _Z6sharedv
lib.a:gemm.cpp.o:0000000000000020 W _Z6sharedv
lib.a:xsgemm_6x8.cpp.o:0000000000000010 W _Z5otherv
lib.a:dispatch.cpp.o:0000000000000020 W _Z5otherv")
shared_symbols("${sample}" found)
if(NOT found STREQUAL "_Z6sharedv@sgemm_6x8.cpp.o")
  message(FATAL_ERROR "check_extension_symbols: self-check (EXTRA_MEMBERS) failed, found '${found}'")
endif()
set(EXTRA_ALT "${_extra}")

if(NOT NM)
  message(FATAL_ERROR "no nm program (CMAKE_NM is empty)")
endif()
execute_process(COMMAND "${NM}" -A "${LIB}" OUTPUT_VARIABLE listing ERROR_VARIABLE err
                RESULT_VARIABLE rc)
if(NOT rc EQUAL 0)
  message(FATAL_ERROR "${NM} -A ${LIB} failed (${rc}): ${err}")
endif()
defined_symbols("${listing}" ext base)
list(LENGTH base nbase)
list(LENGTH ext next)
if(nbase EQUAL 0)
  message(FATAL_ERROR "no baseline symbols found in ${LIB}: the nm output was not understood")
endif()
if(UNITS AND next EQUAL 0)
  message(FATAL_ERROR "extension units were built (${UNITS}) but nm shows none of their symbols")
endif()
shared_symbols("${listing}" shared)
if(shared)
  string(REPLACE ";" "\n  " shared "${shared}")
  message(FATAL_ERROR "symbols defined both in an ISA-extension object and in baseline code:\n  ${shared}")
endif()
message(STATUS "${next} symbols of ISA-extension objects, ${nbase} of baseline objects, none shared")
