import AssayDetectors
import AssayNumerics
import AssayPipeline
import Foundation

/// Times drift detectors in-process on .npy inputs: detector construction + one detection,
/// the same span the Python side times for Alibi Detect. Prints the median of `runs` in ms.
///
/// Usage: drift-bench ks|cvm|mmd REF.npy TEST.npy [runs] [threads]
@main
enum DriftBench {
    static func main() throws {
        let args = CommandLine.arguments
        guard args.count >= 4 else {
            FileHandle.standardError.write(Data("usage: drift-bench ks|cvm|mmd REF.npy TEST.npy [runs] [threads]\n".utf8))
            exit(2)
        }
        let ref = try NPYFormat.decode(Array(try Data(contentsOf: URL(fileURLWithPath: args[2]))), place: args[2])
        let test = try NPYFormat.decode(Array(try Data(contentsOf: URL(fileURLWithPath: args[3]))), place: args[3])
        let runs = args.count > 4 ? Int(args[4]) ?? 5 : 5
        let threads = args.count > 5 ? Int(args[5]) ?? BlockPool.defaultThreadCount : BlockPool.defaultThreadCount
        let pool = BlockPool(threadCount: threads)
        pool.start()
        defer { pool.shutdown() }
        var times: [Double] = []
        var last: DriftResult?
        for _ in 0..<runs {
            let start = DispatchTime.now().uptimeNanoseconds
            var rng = SeededGenerator(seed: 0)
            switch args[1] {
            case "ks": last = try KSDrift(reference: ref, pool: pool).detect(test, rng: &rng)
            case "cvm": last = try CVMDrift(reference: ref, pool: pool).detect(test, rng: &rng)
            case "mmd": last = try MMDDrift(reference: ref, permutations: 100, pool: pool).detect(test, rng: &rng)
            default: exit(2)
            }
            times.append(Double(DispatchTime.now().uptimeNanoseconds - start) / 1e6)
        }
        times.sort()
        print(String(format: "%.3f", times[times.count / 2]))
        if let last { FileHandle.standardError.write(Data("is_drift=\(last.isDrift)\n".utf8)) }
    }
}
