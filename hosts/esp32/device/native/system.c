/*
 * fieldproof/system: the few ESP-IDF calls the firmware needs that XS does not expose.
 *   resetReason()      esp_reset_reason()            (ESP-IDF "Miscellaneous System APIs", Reset Reason)
 *   restart()          esp_restart()
 *   randomBytes(n)     esp_fill_random()             hardware RNG; true random with Wi-Fi or BT on, or with the
 *                                                     bootloader entropy source (ESP-IDF "Random Number Generation")
 *   freeHeap()         esp_get_free_heap_size()
 *   minimumFreeHeap()  esp_get_minimum_free_heap_size()
 * Host function conventions: Moddable documentation/xs/XS in C.md (xsmc API).
 */
#include "xsmc.h"
#include "xsHost.h"
#include "esp_system.h"
#include "esp_random.h"
#include "esp_heap_caps.h"

void xs_fp_reset_reason(xsMachine *the)
{
	const char *reason;
	switch (esp_reset_reason()) {
		case ESP_RST_POWERON: reason = "poweron"; break;
		case ESP_RST_EXT: reason = "external"; break;
		case ESP_RST_SW: reason = "software"; break;
		case ESP_RST_PANIC: reason = "panic"; break;
		case ESP_RST_INT_WDT: reason = "interrupt_watchdog"; break;
		case ESP_RST_TASK_WDT: reason = "task_watchdog"; break;
		case ESP_RST_WDT: reason = "watchdog"; break;
		case ESP_RST_DEEPSLEEP: reason = "deepsleep"; break;
		case ESP_RST_BROWNOUT: reason = "brownout"; break;
		case ESP_RST_SDIO: reason = "sdio"; break;
		default: reason = "unknown"; break;
	}
	xsmcSetString(xsResult, (char *)reason);
}

void xs_fp_restart(xsMachine *the)
{
	esp_restart();
}

void xs_fp_random_bytes(xsMachine *the)
{
	int count = xsmcToInteger(xsArg(0));
	if ((count < 1) || (count > 256))
		xsRangeError("count: 1 to 256");
	xsmcSetArrayBuffer(xsResult, NULL, count);
	esp_fill_random(xsmcToArrayBuffer(xsResult), count);
}

void xs_fp_free_heap(xsMachine *the)
{
	xsmcSetInteger(xsResult, esp_get_free_heap_size());
}

void xs_fp_minimum_free_heap(xsMachine *the)
{
	xsmcSetInteger(xsResult, esp_get_minimum_free_heap_size());
}
