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

if(FEDSIM_SANITIZE)
  # Fiber-switch annotations for ASan are the reliability issue's work (docs/reliability.md).
  add_compile_definitions(FEDSIM_SANITIZE=1)
  add_compile_options(-fsanitize=address,undefined -fno-omit-frame-pointer
                      -fno-sanitize-recover=undefined)
  add_link_options(-fsanitize=address,undefined)
endif()
