import AssayNumerics

/// Runs a kernel over fixed blocks of independent work, on a ``BlockPool`` or serially.
///
/// The blocks come from the data size alone (``fixedBlocks(count:size:)``), never from the
/// pool's thread count, and every block writes a disjoint part of the output, so the output bits
/// are the same with no pool, one thread or many (see the Determinism article).
enum KernelBlocks {
    /// Calls `body` once per block of `0..<count` cut every `size` items, on `pool` when given
    /// and there is more than one block, otherwise in order on the calling thread.
    static func run(
        _ pool: BlockPool?, count: Int, size: Int,
        _ body: @escaping @Sendable (Range<Int>) -> Void
    ) {
        guard count > 0 else { return }
        let blocks = fixedBlocks(count: count, size: max(1, size))
        if let pool, blocks.count > 1, pool.isRunning {
            _ = pool.map(blocks: blocks) { (block: Range<Int>) -> Bool in
                body(block)
                return true
            }
        } else {
            for block in blocks { body(block) }
        }
    }
}

/// A pointer to the output buffer of a kernel, passed to the blocks of a parallel loop.
///
/// `@unchecked Sendable`: it owns no state. Each block writes only the elements of its own
/// block, blocks never overlap, and the buffer outlives the loop (``KernelBlocks/run(_:count:size:_:)``
/// returns only when every block has finished), so no element is written by two threads or read
/// while written.
struct OutputPointer<Element>: @unchecked Sendable {
    let base: UnsafeMutablePointer<Element>
}

/// A read-only pointer to a kernel's input, passed to the blocks of a parallel loop.
///
/// `@unchecked Sendable`: the buffer is not written while the loop runs and outlives it.
struct InputPointer<Element>: @unchecked Sendable {
    let base: UnsafePointer<Element>
}
