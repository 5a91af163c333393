// Compiles a file into the binary: its bytes go into .rodata through the assembler's
// .incbin, between the symbols sym_begin and sym_end (a 0 byte follows the end).
#ifndef HASHMON_COMMON_EMBED_H_
#define HASHMON_COMMON_EMBED_H_

#define HASHMON_EMBED(sym, path)                                        \
  __asm__(".section .rodata\n.balign 16\n.global " #sym "_begin\n" #sym \
          "_begin:\n"                                                   \
          ".incbin \"" path "\"\n.global " #sym "_end\n" #sym           \
          "_end:\n.byte 0\n"                                            \
          ".previous\n");                                               \
  extern "C" const char sym##_begin[];                                  \
  extern "C" const char sym##_end[];

#endif  // HASHMON_COMMON_EMBED_H_
