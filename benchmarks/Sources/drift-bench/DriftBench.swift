import AssayDetectors
import AssayNumerics
import AssayPipeline
import Foundation

/// Times drift detectors in-process on .npy inputs. Prints two medians of `runs`, in ms:
/// detector construction + one detection (the span the Python side times for Alibi Detect's
/// constructor + `predict`), and the detection alone on the constructed detector (Alibi's
/// `predict` alone).
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
        var detectTimes: [Double] = []
        var last: DriftResult?
        for _ in 0..<runs {
            let start = DispatchTime.now().uptimeNanoseconds
            var rng = SeededGenerator(seed: 0)
            let detector: any Detector
            switch args[1] {
            case "ks": detector = try KSDrift(reference: ref, pool: pool)
            case "cvm": detector = try CVMDrift(reference: ref, pool: pool)
            case "mmd": detector = try MMDDrift(reference: ref, permutations: 100, pool: pool)
            default: exit(2)
            }
            let fitted = DispatchTime.now().uptimeNanoseconds
            last = try detector.detect(test, rng: &rng) as? DriftResult
            let end = DispatchTime.now().uptimeNanoseconds
            times.append(Double(end - start) / 1e6)
            detectTimes.append(Double(end - fitted) / 1e6)
        }
        detectTimes.sort()
        times.sort()
        print(String(format: "%.3f %.3f", times[times.count / 2], detectTimes[detectTimes.count / 2]))
        if let last { FileHandle.standardError.write(Data("is_drift=\(last.isDrift)\n".utf8)) }
    }
}
