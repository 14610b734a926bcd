import Foundation

/// A fixed-size pool of threads that runs a closure over fixed blocks of work and returns the
/// results in block order.
///
/// ## Determinism
///
/// The pool never decides how work is cut: the caller passes the blocks, normally from
/// ``fixedBlocks(count:size:)``, which depends on the data size only. ``map(blocks:_:)`` returns
/// one result per block **in block order**, whichever thread ran which block and whenever it
/// finished. A reduction that combines those results in order therefore gives bit-identical
/// answers with 1, 2 or 64 threads:
///
/// ```swift
/// let pool = BlockPool(threadCount: 4)
/// pool.start()
/// defer { pool.shutdown() }
/// let partial = pool.map(blocks: fixedBlocks(count: x.count, size: 4096)) { r in kahanSum(x[r]) }
/// let total = partial.reduce(0, +)      // same order, same bits, any thread count
/// ```
///
/// ## Size and lifecycle
///
/// Like `NIOThreadPool`, a pool has an explicit size and an explicit lifecycle: make it, call
/// ``start()``, use it, call ``shutdown()``. ``threadCount`` counts the threads that run blocks
/// **including the thread that calls** ``map(blocks:_:)``: ``start()`` spawns `threadCount − 1`
/// worker threads, and a pool of one thread runs every block on the caller. The pool does not
/// read `ASSAY_THREADS`; the caller decides the size (see ``defaultThreadCount``).
///
/// ``map(blocks:_:)`` may be called from several threads at once and from inside a block (the
/// caller always works on its own blocks, so nesting cannot deadlock).
public final class BlockPool: Sendable {
    /// The number of threads that run blocks, counting the caller of ``map(blocks:_:)``.
    public let threadCount: Int

    private let core: Core

    /// The number of active processors on this machine, the default ``threadCount``.
    ///
    /// Callers that honour `ASSAY_THREADS` read it themselves and pass the value to
    /// ``init(threadCount:)``.
    public static var defaultThreadCount: Int {
        max(1, ProcessInfo.processInfo.activeProcessorCount)
    }

    /// Makes a pool that will run blocks on `threadCount` threads once started.
    ///
    /// No thread is created until ``start()``. Precondition: `threadCount >= 1`.
    public init(threadCount: Int = BlockPool.defaultThreadCount) {
        precondition(threadCount >= 1, "BlockPool needs at least one thread, got \(threadCount)")
        self.threadCount = threadCount
        self.core = Core()
    }

    deinit {
        core.shutdown()
    }

    /// Spawns the `threadCount − 1` worker threads. Calling it on a running pool does nothing.
    ///
    /// Precondition: the pool has not been shut down (a pool is started at most once).
    public func start() {
        core.start(workers: threadCount - 1)
    }

    /// Stops the pool and waits for its worker threads to exit.
    ///
    /// Blocks already handed to the pool still run: a ``map(blocks:_:)`` in progress on another
    /// thread completes (its caller finishes any blocks the workers leave). Afterwards the pool
    /// cannot be used again. Calling it twice, or on a pool never started, is harmless. Never call
    /// it from inside a block: it waits for the worker threads, one of which would be waiting for
    /// itself.
    public func shutdown() {
        core.shutdown()
    }

    /// Whether the pool has been started and not shut down.
    public var isRunning: Bool { core.isRunning }

    /// Runs `body` once for each of `blocks` and returns the results in the order of `blocks`.
    ///
    /// Blocks run concurrently on up to ``threadCount`` threads (the caller included) in no
    /// particular order; the result array is always in block order. If some blocks throw, every
    /// block still runs and the error of the **first** failing block in block order is thrown,
    /// so the error, too, does not depend on scheduling.
    ///
    /// Precondition: the pool is running (``start()`` was called, ``shutdown()`` was not).
    ///
    /// - Parameters:
    ///   - blocks: the work, usually from ``fixedBlocks(count:size:)``. Never cut it by
    ///     ``threadCount``: that would make results depend on the pool size.
    ///   - body: the work for one block. It must not depend on which thread runs it.
    /// - Returns: `blocks.count` results, in block order.
    /// - Complexity: the cost of the blocks, plus O(`blocks.count`) lock acquisitions.
    public func map<Result: Sendable, Failure: Error>(
        blocks: [Range<Int>],
        _ body: @escaping @Sendable (Range<Int>) throws(Failure) -> Result
    ) throws(Failure) -> [Result] {
        precondition(core.isRunning, "BlockPool.map called on a pool that is not running; call start() first")
        if blocks.isEmpty { return [] }
        let slots = BlockResults<Result, Failure>(count: blocks.count)
        if threadCount == 1 || blocks.count == 1 {
            for index in blocks.indices { slots.run(index, blocks[index], body) }
        } else {
            core.run(count: blocks.count) { index in slots.run(index, blocks[index], body) }
        }
        return try slots.collect()
    }

    /// Starts a pool of `threadCount` threads, passes it to `body`, and shuts it down when
    /// `body` returns or throws.
    @discardableResult
    public static func withPool<T, Failure: Error>(
        threadCount: Int = BlockPool.defaultThreadCount,
        _ body: (BlockPool) throws(Failure) -> T
    ) throws(Failure) -> T {
        let pool = BlockPool(threadCount: threadCount)
        pool.start()
        defer { pool.shutdown() }
        return try body(pool)
    }
}

/// Cuts `0..<count` into consecutive ranges of `size` elements (the last one may be shorter).
///
/// The cut depends on `count` and `size` only — never on a thread count — so a reduction over
/// the blocks in order is the same on every machine. `fixedBlocks(count: 10, size: 4)` is
/// `[0..<4, 4..<8, 8..<10]`; `count == 0` gives no blocks. Preconditions: `count >= 0`,
/// `size >= 1`.
/// - Complexity: O(`count / size`).
public func fixedBlocks(count: Int, size: Int) -> [Range<Int>] {
    precondition(count >= 0, "fixedBlocks needs count >= 0, got \(count)")
    precondition(size >= 1, "fixedBlocks needs size >= 1, got \(size)")
    return stride(from: 0, to: count, by: size).map { $0..<min($0 + size, count) }
}

/// Runs `body` over `blocks` on `pool`, or serially in block order on the calling thread when
/// `pool` is nil. Results in block order either way.
func mapBlocks<Result: Sendable, Failure: Error>(
    _ pool: BlockPool?,
    _ blocks: [Range<Int>],
    _ body: @escaping @Sendable (Range<Int>) throws(Failure) -> Result
) throws(Failure) -> [Result] {
    if let pool { return try pool.map(blocks: blocks, body) }
    var out: [Result] = []
    out.reserveCapacity(blocks.count)
    for block in blocks { out.append(try body(block)) }
    return out
}

/// One slot per block for the results of a ``BlockPool/map(blocks:_:)`` call.
///
/// `@unchecked Sendable`: the only mutable state, `values`, is read and written solely while
/// holding `lock`, which this class owns.
private final class BlockResults<Value: Sendable, Failure: Error>: @unchecked Sendable {
    private let lock = NSLock()
    private var values: [Result<Value, Failure>?]

    init(count: Int) {
        values = Array(repeating: nil, count: count)
    }

    func run(
        _ index: Int, _ block: Range<Int>,
        _ body: @Sendable (Range<Int>) throws(Failure) -> Value
    ) {
        let result: Result<Value, Failure>
        do { result = .success(try body(block)) } catch { result = .failure(error) }
        lock.lock()
        values[index] = result
        lock.unlock()
    }

    /// The values in block order, or the first failure in block order.
    func collect() throws(Failure) -> [Value] {
        lock.lock()
        let all = values
        values = []
        lock.unlock()
        var out: [Value] = []
        out.reserveCapacity(all.count)
        for slot in all {
            guard let slot else { preconditionFailure("BlockPool: a block did not run") }
            switch slot {
            case .success(let v): out.append(v)
            case .failure(let e): throw e
            }
        }
        return out
    }
}
