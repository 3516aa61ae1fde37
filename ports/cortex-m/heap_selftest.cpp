// Allocates on purpose: the no-heap check (check-no-heap.cmake) must reject
// this image. ctest's no_heap_check_rejects_allocation builds it and expects
// the check's failure message; it is never part of `all`.
#include <stddef.h>
#include <stdlib.h>

#include "port.h"

// Lets malloc link (it finds no memory at run time); the check must still fire.
extern "C" void* _sbrk(ptrdiff_t) { return reinterpret_cast<void*>(-1); }

// Keeps the compiler from eliding the new/delete pair.
int* volatile escaped;

int main()
{
    microprop_port_init();
    void* p = malloc(16);
    escaped = new int(3);
    const int code = (p == nullptr) + *escaped;
    free(p);
    delete escaped;
    microprop_port_exit(code);
}
