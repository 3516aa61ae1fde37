/* Host port: stdout for the console, a monotonic nanosecond clock. */
#define _POSIX_C_SOURCE 199309L
#include "port.h"

#include <stdio.h>
#include <stdlib.h>
#include <time.h>

void microprop_port_init(void) { setvbuf(stdout, NULL, _IOLBF, 0); }

void microprop_port_write(const char* text, size_t n) { fwrite(text, 1, n, stdout); }

uint32_t microprop_port_counter(void)
{
    struct timespec now;
    clock_gettime(CLOCK_MONOTONIC, &now);
    return (uint32_t)((uint64_t)now.tv_sec * 1000000000u + (uint64_t)now.tv_nsec);
}

uint32_t microprop_port_counter_hz(void) { return 1000000000u; }

void microprop_port_exit(int code)
{
    fflush(stdout);
    exit(code);
}
