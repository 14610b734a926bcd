#if os(Linux)
import Glibc
#endif

extension Array where Element == Float {
    /// An array of `count` floats filled by `body` through a pointer to its storage.
    ///
    /// `body` must write every element (the storage starts uninitialized; Float has no
    /// invalid bit patterns, but unwritten elements would hold stale memory). Storage of 4 MiB
    /// or more is first marked for transparent huge pages on Linux (see
    /// ``adviseHugePages(_:count:)``).
    @inline(__always)
    static func filled(count: Int, _ body: (UnsafeMutablePointer<Float>) -> Void) -> [Float] {
        [Float](unsafeUninitializedCapacity: count) { buffer, initialized in
            if let base = buffer.baseAddress, count > 0 {
                if count >= 1 << 20 { adviseHugePages(base, count: count) }
                body(base)
            }
            initialized = count
        }
    }

    /// Asks the kernel to back the whole 2 MiB pages inside a fresh, untouched buffer with huge
    /// pages (`madvise(MADV_HUGEPAGE)`), a hint that changes no value.
    ///
    /// A batch of 1024 CIFAR-sized images makes 16–64 MiB activations, which malloc maps fresh
    /// for every run; with 4 KiB pages, first-touch page faults took about a quarter of the
    /// run. With huge pages there is one fault per 2 MiB. Where transparent huge pages are
    /// disabled, or off Linux, this does nothing.
    static func adviseHugePages(_ base: UnsafeMutablePointer<Float>, count: Int) {
        #if os(Linux)
        let page = 4096
        let start = (Int(bitPattern: base) + page - 1) / page * page
        let end = (Int(bitPattern: base + count)) / page * page
        guard end > start, let pointer = UnsafeMutableRawPointer(bitPattern: start) else { return }
        _ = madvise(pointer, end - start, MADV_HUGEPAGE)
        #endif
    }
}
