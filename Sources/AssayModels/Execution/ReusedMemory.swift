#if os(Linux)
/// glibc's `mallopt` (declared in malloc.h, which the Glibc module does not export).
@_silgen_name("mallopt")
private func mallopt(_ parameter: Int32, _ value: Int32) -> Int32
/// glibc's parameter numbers (malloc.h): M_TRIM_THRESHOLD −1, M_MMAP_MAX −4.
private let trimThreshold: Int32 = -1
private let mmapMax: Int32 = -4
#endif

/// Keeps freed tensor memory in the process for the next run instead of handing it back to the
/// kernel.
///
/// A network's intermediate tensors are large (64 MiB for one 32×32×16 layer of 1024 images);
/// glibc serves blocks over its mmap threshold (at most 32 MiB) with fresh mappings and unmaps
/// them when freed, so every run would fault in and zero those pages again — a fifth of a
/// convolutional network's time. Serving every block from the heap and never trimming it lets
/// later runs reuse the memory, as ONNX Runtime's arena does. Only timing changes; values never depend on where memory comes from.
enum ReusedMemory {
    /// Applied once per process, by the first session.
    static let configured: Bool = {
        #if os(Linux)
        _ = mallopt(mmapMax, 0)
        _ = mallopt(trimThreshold, Int32.max)
        #endif
        return true
    }()
}
