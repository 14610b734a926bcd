import AssayModels
import AssayNumerics
import Foundation

/// Times an ONNX model in-process on a batch read from a raw little-endian float32 file (the
/// same bytes the Python side feeds ONNX Runtime). Prints the median seconds per run and the
/// SHA-256-free checksum of the first output (sum of its float32 values) on stderr.
///
/// Usage: model-bench MODEL.onnx INPUT.f32 SHAPE(e.g. 1024x1x8x8) RUNS THREADS
@main
enum ModelBench {
    static func main() throws {
        let args = CommandLine.arguments
        guard args.count == 6, let runs = Int(args[4]), let threads = Int(args[5]) else {
            FileHandle.standardError.write(Data("usage: model-bench MODEL.onnx INPUT.f32 SHAPE RUNS THREADS\n".utf8))
            exit(2)
        }
        let model = try ONNXModel(data: try Data(contentsOf: URL(fileURLWithPath: args[1])))
        let shape = args[3].split(separator: "x").compactMap { Int($0) }
        let raw = try Data(contentsOf: URL(fileURLWithPath: args[2]))
        let values = raw.withUnsafeBytes { Array($0.bindMemory(to: Float.self)) }
        let input = ModelTensor(float: values, shape: shape)
        let session = try InferenceSession(model: model)
        let pool = BlockPool(threadCount: threads)
        pool.start()
        defer { pool.shutdown() }
        let name = model.inputs[0].name
        // Warm-up, as the Python side does.
        var outputs = try session.run(inputs: [name: input], pool: threads == 1 ? nil : pool)
        var times: [Double] = []
        for _ in 0..<runs {
            let start = DispatchTime.now().uptimeNanoseconds
            outputs = try session.run(inputs: [name: input], pool: threads == 1 ? nil : pool)
            times.append(Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9)
        }
        times.sort()
        print(String(format: "%.9f", times[times.count / 2]))
        if case .tensor(let t)? = outputs.first?.value, let f = t.floats {
            FileHandle.standardError.write(Data("checksum \(f.reduce(0, +))\n".utf8))
        }
    }
}
