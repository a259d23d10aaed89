// fieldproof/system: ESP-IDF facts and services XS does not expose (system.c). Declared for TypeScript in
// hosts/esp32/device/moddable.d.ts. Host functions use Moddable's `@ "name"` syntax (documentation/xs/XS in C.md).
export function resetReason() @ "xs_fp_reset_reason";
export function restart() @ "xs_fp_restart";
export function randomBytes(count) @ "xs_fp_random_bytes";
export function freeHeap() @ "xs_fp_free_heap";
export function minimumFreeHeap() @ "xs_fp_minimum_free_heap";
