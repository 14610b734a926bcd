extension Array where Element == Float {
    /// An array of `count` floats filled by `body` through a pointer to its storage.
    ///
    /// `body` must write every element (the storage starts uninitialized; Float has no
    /// invalid bit patterns, but unwritten elements would hold stale memory).
    @inline(__always)
    static func filled(count: Int, _ body: (UnsafeMutablePointer<Float>) -> Void) -> [Float] {
        [Float](unsafeUninitializedCapacity: count) { buffer, initialized in
            if let base = buffer.baseAddress, count > 0 { body(base) }
            initialized = count
        }
    }
}
