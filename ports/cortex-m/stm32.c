/* STM32F1 and STM32F4 boards: console on a USART (8N1, 115200 baud, TX pin
 * only), counter from SysTick or DWT->CYCCNT. The core runs on the reset
 * clock (HSI) - the ports do not touch the PLL - so the image runs unchanged
 * on silicon and under QEMU, whose STM32 models have no RCC (it reads 0).
 *
 * The board's port.cmake defines:
 *   STM32_F1 or STM32_F4          register layout of RCC and GPIO
 *   STM32_USART1 or STM32_USART2  console USART (TX on PA9 or PA2)
 *   STM32_HSI_HZ                  reset core clock on silicon
 *   STM32_QEMU_SYSCLK_HZ          core clock of QEMU's model of the board
 *   STM32_COUNTER_DWT             count with DWT->CYCCNT instead of SysTick
 *                                 (silicon only: QEMU 7.2 reads it as 0) */
#include "cortexm.h"
#include "port.h"

#if defined(STM32_F4)
#define RCC_BASE 0x40023800u
#define RCC_AHB1ENR CORTEXM_REG(RCC_BASE + 0x30u)
#define RCC_APB1ENR CORTEXM_REG(RCC_BASE + 0x40u)
#define RCC_APB2ENR CORTEXM_REG(RCC_BASE + 0x44u)
#define GPIOA_BASE 0x40020000u
#define GPIOA_MODER CORTEXM_REG(GPIOA_BASE + 0x00u)
#define GPIOA_AFRL CORTEXM_REG(GPIOA_BASE + 0x20u)
#define GPIOA_AFRH CORTEXM_REG(GPIOA_BASE + 0x24u)
#elif defined(STM32_F1)
#define RCC_BASE 0x40021000u
#define RCC_APB2ENR CORTEXM_REG(RCC_BASE + 0x18u)
#define RCC_APB1ENR CORTEXM_REG(RCC_BASE + 0x1Cu)
#define GPIOA_BASE 0x40010800u
#define GPIOA_CRL CORTEXM_REG(GPIOA_BASE + 0x00u)
#define GPIOA_CRH CORTEXM_REG(GPIOA_BASE + 0x04u)
#else
#error "define STM32_F1 or STM32_F4"
#endif
#define RCC_CR CORTEXM_REG(RCC_BASE + 0x00u)
#define RCC_CR_HSIRDY (1u << 1)

#if defined(STM32_USART1) && defined(STM32_F4)
#define USART_BASE 0x40011000u
#elif defined(STM32_USART1)
#define USART_BASE 0x40013800u
#elif defined(STM32_USART2)
#define USART_BASE 0x40004400u
#else
#error "define STM32_USART1 or STM32_USART2"
#endif
#define USART_SR CORTEXM_REG(USART_BASE + 0x00u)
#define USART_DR CORTEXM_REG(USART_BASE + 0x04u)
#define USART_BRR CORTEXM_REG(USART_BASE + 0x08u)
#define USART_CR1 CORTEXM_REG(USART_BASE + 0x0Cu)
#define USART_SR_TXE (1u << 7)
#define USART_SR_TC (1u << 6)
#define USART_CR1_UE (1u << 13)
#define USART_CR1_TE (1u << 3)

static uint32_t core_hz;

static void enable_console_pin(void)
{
#if defined(STM32_F4)
    RCC_AHB1ENR |= 1u << 0; /* GPIOA */
#if defined(STM32_USART1)
    RCC_APB2ENR |= 1u << 4;                                    /* USART1 */
    GPIOA_AFRH = (GPIOA_AFRH & ~(0xFu << 4)) | (7u << 4);       /* PA9: AF7 */
    GPIOA_MODER = (GPIOA_MODER & ~(3u << 18)) | (2u << 18);    /* PA9: alternate */
#else
    RCC_APB1ENR |= 1u << 17;                                   /* USART2 */
    GPIOA_AFRL = (GPIOA_AFRL & ~(0xFu << 8)) | (7u << 8);       /* PA2: AF7 */
    GPIOA_MODER = (GPIOA_MODER & ~(3u << 4)) | (2u << 4);      /* PA2: alternate */
#endif
#else
    RCC_APB2ENR |= (1u << 2) | (1u << 0); /* GPIOA, AFIO */
#if defined(STM32_USART1)
    RCC_APB2ENR |= 1u << 14;                                   /* USART1 */
    GPIOA_CRH = (GPIOA_CRH & ~(0xFu << 4)) | (0xBu << 4);       /* PA9: AF push-pull 50 MHz */
#else
    RCC_APB1ENR |= 1u << 17;                                   /* USART2 */
    GPIOA_CRL = (GPIOA_CRL & ~(0xFu << 8)) | (0xBu << 8);       /* PA2: AF push-pull 50 MHz */
#endif
#endif
}

void microprop_port_init(void)
{
    /* On silicon HSIRDY is set out of reset; QEMU models no RCC and reads 0. */
    core_hz = (RCC_CR & RCC_CR_HSIRDY) ? STM32_HSI_HZ : STM32_QEMU_SYSCLK_HZ;
    enable_console_pin();
    USART_BRR = (core_hz + 115200u / 2u) / 115200u; /* APB clock = core clock after reset */
    USART_CR1 = USART_CR1_UE | USART_CR1_TE;
#if defined(STM32_COUNTER_DWT)
    cortexm_dwt_start();
#else
    cortexm_systick_start();
#endif
}

void microprop_port_write(const char* text, size_t n)
{
    for (size_t i = 0; i < n; ++i) {
        while (!(USART_SR & USART_SR_TXE)) {
        }
        USART_DR = (uint8_t)text[i];
    }
}

void cortexm_board_flush(void)
{
    while (!(USART_SR & USART_SR_TC)) {
    }
}

uint32_t microprop_port_counter(void)
{
#if defined(STM32_COUNTER_DWT)
    return cortexm_dwt_count();
#else
    return cortexm_systick_count();
#endif
}

uint32_t microprop_port_counter_hz(void) { return core_hz; }
