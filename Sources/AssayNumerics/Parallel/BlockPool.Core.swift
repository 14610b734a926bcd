import Foundation

extension BlockPool {
    /// The threads and the queue of a ``BlockPool``: jobs, each a number of block indices that
    /// workers and the job's caller claim one at a time.
    ///
    /// `@unchecked Sendable`: every stored `var` is read and written only while holding
    /// `condition`, which this class owns; the closures it runs are `@Sendable`.
    final class Core: @unchecked Sendable {
        private enum State { case idle, running, stopped }

        private struct Job {
            let id: Int
            let count: Int
            let work: @Sendable (Int) -> Void
            /// The next unclaimed block index.
            var next = 0
            /// How many blocks have finished.
            var done = 0
        }

        private let condition = NSCondition()
        private var state = State.idle
        /// Jobs not yet finished, oldest first.
        private var jobs: [Job] = []
        private var nextJobID = 0
        private var liveWorkers = 0

        var isRunning: Bool {
            condition.lock()
            defer { condition.unlock() }
            return state == .running
        }

        func start(workers: Int) {
            condition.lock()
            switch state {
            case .running:
                condition.unlock()
                return
            case .stopped:
                condition.unlock()
                preconditionFailure("BlockPool.start() after shutdown(): a pool is started at most once")
            case .idle:
                state = .running
                liveWorkers = workers
                condition.unlock()
            }
            for i in 0..<workers {
                let thread = Thread { [self] in self.workerLoop() }
                thread.name = "assay.blockpool.\(i)"
                thread.start()
            }
        }

        func shutdown() {
            condition.lock()
            state = .stopped
            condition.broadcast()
            while liveWorkers > 0 { condition.wait() }
            condition.unlock()
        }

        /// Runs `work(0) … work(count − 1)` on the workers and the calling thread; returns once
        /// all have finished.
        func run(count: Int, _ work: @escaping @Sendable (Int) -> Void) {
            condition.lock()
            let id = nextJobID
            nextJobID += 1
            jobs.append(Job(id: id, count: count, work: work))
            condition.broadcast()
            while true {
                guard let pos = jobs.firstIndex(where: { $0.id == id }) else {
                    preconditionFailure("BlockPool: job vanished")
                }
                if jobs[pos].next < count {
                    // The caller works on its own job only, so nested maps cannot deadlock.
                    let index = jobs[pos].next
                    jobs[pos].next += 1
                    condition.unlock()
                    work(index)
                    condition.lock()
                    finishLocked(id)
                } else if jobs[pos].done == count {
                    jobs.remove(at: pos)
                    condition.unlock()
                    return
                } else {
                    condition.wait()
                }
            }
        }

        private func workerLoop() {
            condition.lock()
            while true {
                if let pos = jobs.firstIndex(where: { $0.next < $0.count }) {
                    let id = jobs[pos].id
                    let index = jobs[pos].next
                    let work = jobs[pos].work
                    jobs[pos].next += 1
                    condition.unlock()
                    work(index)
                    condition.lock()
                    finishLocked(id)
                } else if state != .running {
                    break
                } else {
                    condition.wait()
                }
            }
            liveWorkers -= 1
            condition.broadcast()
            condition.unlock()
        }

        private func finishLocked(_ id: Int) {
            guard let pos = jobs.firstIndex(where: { $0.id == id }) else { return }
            jobs[pos].done += 1
            if jobs[pos].done == jobs[pos].count { condition.broadcast() }
        }
    }
}
