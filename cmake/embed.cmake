# Turns a text file into a C++ source defining `const char <SYMBOL>[]` in namespace berth.
# Usage: cmake -DINPUT=... -DOUTPUT=... -DSYMBOL=... -P embed.cmake
file(READ "${INPUT}" content HEX)
string(REGEX REPLACE "([0-9a-f][0-9a-f])" "0x\\1," bytes "${content}")
file(WRITE "${OUTPUT}.tmp"
  "// Generated from ${INPUT} by cmake/embed.cmake; do not edit.\n"
  "namespace berth {\nextern const char ${SYMBOL}[];\nconst char ${SYMBOL}[] = {${bytes} 0x00};\n}  // namespace berth\n")
file(COPY_FILE "${OUTPUT}.tmp" "${OUTPUT}" ONLY_IF_DIFFERENT)
file(REMOVE "${OUTPUT}.tmp")
