/*
 * The little runtime the freestanding wasm32 build needs: the scratch area where JavaScript puts
 * a call's inputs and reads its pp_result, and the memcpy/memset the compiler may call.
 */
#include <stddef.h>
#include <stdint.h>

#define PAGE_SIZE 65536u

extern unsigned char __heap_base;

/* Grows memory so that `bytes` fit from the heap base, and returns the heap base (16-aligned), or
 * 0 when memory cannot grow. Everything from there on belongs to the caller until the next call. */
__attribute__((export_name("pp_scratch"))) uint8_t *pp_scratch(size_t bytes) {
  const uintptr_t base = ((uintptr_t)&__heap_base + 15) & ~(uintptr_t)15;
  const size_t needed_pages = (base + bytes + PAGE_SIZE - 1) / PAGE_SIZE;
  const size_t pages = __builtin_wasm_memory_size(0);
  if (needed_pages > pages && __builtin_wasm_memory_grow(0, needed_pages - pages) == (size_t)-1)
    return 0;
  return (uint8_t *)base;
}

void *memcpy(void *restrict dest, const void *restrict src, size_t n) {
  unsigned char *d = dest;
  const unsigned char *s = src;
  while (n--) *d++ = *s++;
  return dest;
}

void *memset(void *dest, int c, size_t n) {
  unsigned char *d = dest;
  while (n--) *d++ = (unsigned char)c;
  return dest;
}
