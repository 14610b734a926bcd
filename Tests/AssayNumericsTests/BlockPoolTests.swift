import AssayNumerics
import Dispatch
import Foundation
import Testing

/// ``BlockPool`` and ``fixedBlocks(count:size:)``: blocks cut by data size, results in block
/// order, reductions bit-identical at 1, 2 and 8 threads.
struct BlockPoolTests {
    struct BlockFailed: Error, Equatable {
        let block: Int
    }

    /// Classic Kahan summation of `x[range]`, in index order.
    static func kahanSum(_ x: [Double], _ range: Range<Int>) -> Double {
        var sum = 0.0, c = 0.0
        for i in range {
            let y = x[i] - c
            let t = sum + y
            c = (t - sum) - y
            sum = t
        }
        return sum
    }

    /// Values of wildly different magnitudes, so that any change of summation order shows.
    static let values: [Double] = {
        var rng = SeededGenerator(seed: 2024).child("test.blockpool")
        return (0..<100_003).map { i in rng.normal() * [1e-8, 1, 1e8, 3e3][i % 4] }
    }()

    @Test func fixedBlocksDependOnTheDataOnly() {
        #expect(fixedBlocks(count: 10, size: 4) == [0..<4, 4..<8, 8..<10])
        #expect(fixedBlocks(count: 8, size: 4) == [0..<4, 4..<8])
        #expect(fixedBlocks(count: 3, size: 10) == [0..<3])
        #expect(fixedBlocks(count: 0, size: 3).isEmpty)
        #expect(fixedBlocks(count: 5, size: 1).count == 5)
    }

    @Test func kahanReductionIsBitIdenticalAcrossThreadCounts() throws {
        let x = Self.values
        let blocks = fixedBlocks(count: x.count, size: 4096)
        var totals: [UInt64] = []
        for threads in [1, 2, 8] {
            let partial = BlockPool.withPool(threadCount: threads) { pool in
                pool.map(blocks: blocks) { Self.kahanSum(x, $0) }
            }
            #expect(partial.count == blocks.count)
            totals.append(partial.reduce(0, +).bitPattern)
        }
        #expect(Set(totals).count == 1, "totals: \(totals.map { String($0, radix: 16) })")
        // And equal to the same reduction done serially.
        let serial = blocks.map { Self.kahanSum(x, $0) }.reduce(0, +)
        #expect(totals[0] == serial.bitPattern)
    }

    @Test func matrixProductIsBitIdenticalAcrossThreadCounts() throws {
        let a = Linalg.randomMatrix(203, 150, seed: 41, as: Double.self), b = Linalg.randomMatrix(150, 91, seed: 42, as: Double.self)
        let serial = try a.matmul(b)
        for threads in [1, 2, 8] {
            let p = try BlockPool.withPool(threadCount: threads) { pool throws in try a.matmul(b, pool: pool) }
            #expect(Linalg.bits(p.scalars) == Linalg.bits(serial.scalars), "threads: \(threads)")
        }
        let af = a.converted(to: Float.self), bf = b.converted(to: Float.self)
        let serialF = try af.matmul(bf)
        for threads in [2, 8] {
            let p = try BlockPool.withPool(threadCount: threads) { pool throws in try af.matmul(bf, pool: pool) }
            #expect(Linalg.bits(p.scalars) == Linalg.bits(serialF.scalars), "threads: \(threads)")
        }
    }

    @Test func resultsComeBackInBlockOrder() {
        BlockPool.withPool(threadCount: 8) { pool in
            let blocks = fixedBlocks(count: 200, size: 1)
            let out = pool.map(blocks: blocks) { r -> Int in
                // Uneven work, so blocks finish out of order.
                var acc = 0
                for i in 0..<((200 - r.lowerBound) * 50) { acc &+= i }
                return r.lowerBound * 1000 + (acc == -1 ? 1 : 0)
            }
            #expect(out == (0..<200).map { $0 * 1000 })
        }
    }

    @Test func throwsTheFirstFailingBlockInBlockOrder() {
        BlockPool.withPool(threadCount: 8) { pool in
            #expect(throws: BlockFailed(block: 5)) {
                try pool.map(blocks: fixedBlocks(count: 40, size: 2)) { r throws(BlockFailed) -> Int in
                    let block = r.lowerBound / 2
                    if block == 5 || block == 17 || block == 33 { throw BlockFailed(block: block) }
                    return block
                }
            }
        }
    }

    @Test func nestedAndConcurrentMapsComplete() {
        BlockPool.withPool(threadCount: 2) { pool in
            let nested = pool.map(blocks: fixedBlocks(count: 6, size: 1)) { outer in
                pool.map(blocks: fixedBlocks(count: 10, size: 3)) { $0.count }.reduce(0, +) + outer.lowerBound
            }
            #expect(nested == (0..<6).map { 10 + $0 })

            let results = Results()
            DispatchQueue.concurrentPerform(iterations: 6) { caller in
                let sums = pool.map(blocks: fixedBlocks(count: 1000, size: 7)) { r in r.reduce(0, +) }
                results.set(caller, sums.reduce(0, +))
            }
            #expect(results.all == Array(repeating: 499_500, count: 6))
        }
    }

    @Test func lifecycle() {
        let pool = BlockPool(threadCount: 4)
        #expect(pool.threadCount == 4)
        #expect(!pool.isRunning)
        pool.start()
        pool.start()  // a second start does nothing
        #expect(pool.isRunning)
        #expect(pool.map(blocks: []) { $0.count }.isEmpty)
        #expect(pool.map(blocks: [0..<3]) { $0.count } == [3])
        pool.shutdown()
        pool.shutdown()  // harmless
        #expect(!pool.isRunning)
        #expect(BlockPool.defaultThreadCount >= 1)
        #expect(BlockPool(threadCount: 1).threadCount == 1)
        let never = BlockPool(threadCount: 3)
        never.shutdown()  // never started: harmless
    }

    /// Collects per-caller results from `concurrentPerform`.
    final class Results: @unchecked Sendable {
        // @unchecked: `values` is only touched while holding `lock`, which this class owns.
        private let lock = NSLock()
        private var values = [Int](repeating: -1, count: 6)
        func set(_ i: Int, _ v: Int) {
            lock.lock()
            values[i] = v
            lock.unlock()
        }
        var all: [Int] {
            lock.lock()
            defer { lock.unlock() }
            return values
        }
    }
}
