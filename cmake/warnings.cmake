# The strictest warning set we hold every target to, in one place.
# fedsim_warnings is an INTERFACE target: link it to get the flags.
add_library(fedsim_warnings INTERFACE)
target_compile_options(fedsim_warnings INTERFACE
  -Wall -Wextra -Wpedantic -Wshadow -Wnon-virtual-dtor -Wold-style-cast -Wcast-align
  -Woverloaded-virtual -Wimplicit-fallthrough -Wformat=2
  # Designated initializers (options structs) leave members at their defaults on purpose.
  -Wno-missing-field-initializers)
if(FEDSIM_WERROR)
  target_compile_options(fedsim_warnings INTERFACE -Werror)
endif()
if(CMAKE_CXX_COMPILER_ID STREQUAL "GNU")
  # g++ 12 at -O3 reports a false -Wrestrict inside std::string's operator+ (GCC bug 105329),
  # which -Werror would turn into a failed Release build.
  target_compile_options(fedsim_warnings INTERFACE -Wno-restrict)
endif()

if(FEDSIM_SANITIZE)
  # BOOST_USE_UCONTEXT selects Boost.Context's ucontext fibers, which (with BOOST_USE_ASAN)
  # announce every stack switch to ASan; the default fcontext fibers do not.
  add_compile_definitions(FEDSIM_SANITIZE=1 BOOST_USE_ASAN BOOST_USE_UCONTEXT)
  add_compile_options(-O1 -fsanitize=address,undefined -fno-omit-frame-pointer
                      -fno-sanitize-recover=undefined)
  add_link_options(-fsanitize=address,undefined)
endif()
