import AssayNumerics

/// NumPy `.npy` files (format versions 1.0, 2.0 and 3.0): reading untrusted bytes and writing
/// deterministic ones.
///
/// Matrices Assay stores (references, inputs, results) are `.npy` files, so anyone can open them
/// with `numpy.load`. Written files are always version 1.0, little-endian float64 (`<f8`), C order,
/// with a header padded to 64 bytes as NumPy pads it: the same array always gives the same bytes.
public enum NPYFormat {
    static let magic: [UInt8] = [0x93] + Array("NUMPY".utf8)

    /// The scalar types Assay reads.
    enum DType: String {
        case f8 = "<f8", f4 = "<f4", i8 = "<i8", i4 = "<i4", i2 = "<i2", i1 = "|i1", u1 = "|u1", b1 = "|b1"
        case u2 = "<u2", u4 = "<u4", u8 = "<u8"
        var size: Int {
            switch self {
            case .f8, .i8, .u8: 8
            case .f4, .i4, .u4: 4
            case .i2, .u2: 2
            case .i1, .u1, .b1: 1
            }
        }
    }

    /// Decodes `.npy` bytes into a float64 tensor (integers and booleans are converted exactly,
    /// float32 widened). `place` names the source in errors.
    ///
    /// - Throws: ``PipelineError/invalidInput(place:problem:fix:)`` for a wrong magic, an unknown
    ///   version, a header that is not a NumPy dict literal, an unsupported dtype (big-endian,
    ///   complex, object, strings), Fortran order, or a size that does not match the shape.
    public static func decode(_ bytes: [UInt8], place: String) throws(PipelineError) -> Tensor<Double> {
        func fail(_ problem: String, _ offset: Int? = nil) -> PipelineError {
            .invalidInput(place: place + (offset.map { " (byte \($0))" } ?? ""), problem: problem,
                          fix: "Pass a NumPy .npy file written by numpy.save with a numeric dtype, or a CSV with a header row.")
        }
        guard bytes.count >= 10, Array(bytes[0..<6]) == magic else { throw fail("not a NumPy .npy file (wrong magic)", 0) }
        let major = bytes[6]
        let headerLength: Int
        let headerStart: Int
        switch major {
        case 1:
            headerLength = Int(bytes[8]) | Int(bytes[9]) << 8
            headerStart = 10
        case 2, 3:
            guard bytes.count >= 12 else { throw fail("truncated header", 8) }
            headerLength = Int(bytes[8]) | Int(bytes[9]) << 8 | Int(bytes[10]) << 16 | Int(bytes[11]) << 24
            headerStart = 12
        default:
            throw fail("unsupported .npy format version \(major).\(bytes[7])", 6)
        }
        guard headerStart + headerLength <= bytes.count else { throw fail("truncated header (needs \(headerLength) bytes)", headerStart) }
        let header = String(decoding: bytes[headerStart..<(headerStart + headerLength)], as: UTF8.self)
        guard let descr = field("descr", in: header), let fortran = field("fortran_order", in: header), let shapeText = field("shape", in: header) else {
            throw fail("header is not a NumPy dictionary with descr, fortran_order and shape: \(header.prefix(120))", headerStart)
        }
        let descrValue = descr.trimmingCharacters(in: CharacterSet(charactersIn: "'\" "))
        guard let dtype = DType(rawValue: descrValue == "<b1" ? "|b1" : descrValue) else {
            throw fail("unsupported dtype \(descrValue) (Assay reads little-endian floats, integers and booleans)", headerStart)
        }
        guard fortran.trimmingCharacters(in: .whitespaces) == "False" else { throw fail("Fortran-ordered arrays are not supported; save with np.ascontiguousarray", headerStart) }
        let inner = shapeText.trimmingCharacters(in: CharacterSet(charactersIn: "() "))
        var shape: [Int] = []
        for part in inner.split(separator: ",") {
            let t = part.trimmingCharacters(in: .whitespaces)
            if t.isEmpty { continue }
            guard let d = Int(t), d >= 0 else { throw fail("bad shape \(shapeText)", headerStart) }
            shape.append(d)
        }
        let (count, overflow) = shape.reduce((1, false)) { acc, d in
            let (p, o) = acc.0.multipliedReportingOverflow(by: d)
            return (p, acc.1 || o)
        }
        let dataStart = headerStart + headerLength
        let (needed, overflow2) = count.multipliedReportingOverflow(by: dtype.size)
        guard !overflow, !overflow2, bytes.count - dataStart == needed else {
            throw fail("shape \(shape) of \(dtype.rawValue) needs \(overflow ? "too many" : String(needed)) data bytes, the file has \(bytes.count - dataStart)", dataStart)
        }
        var scalars = [Double](repeating: 0, count: count)
        bytes.withUnsafeBytes { raw in
            let base = raw.baseAddress! + dataStart
            for i in 0..<count {
                let p = base + i * dtype.size
                switch dtype {
                case .f8: scalars[i] = Double(bitPattern: UInt64(littleEndian: p.loadUnaligned(as: UInt64.self)))
                case .f4: scalars[i] = Double(Float(bitPattern: UInt32(littleEndian: p.loadUnaligned(as: UInt32.self))))
                case .i8: scalars[i] = Double(Int64(littleEndian: p.loadUnaligned(as: Int64.self)))
                case .i4: scalars[i] = Double(Int32(littleEndian: p.loadUnaligned(as: Int32.self)))
                case .i2: scalars[i] = Double(Int16(littleEndian: p.loadUnaligned(as: Int16.self)))
                case .i1: scalars[i] = Double(p.load(as: Int8.self))
                case .u1, .b1: scalars[i] = Double(p.load(as: UInt8.self))
                case .u2: scalars[i] = Double(UInt16(littleEndian: p.loadUnaligned(as: UInt16.self)))
                case .u4: scalars[i] = Double(UInt32(littleEndian: p.loadUnaligned(as: UInt32.self)))
                case .u8: scalars[i] = Double(UInt64(littleEndian: p.loadUnaligned(as: UInt64.self)))
                }
            }
        }
        do { return try Tensor(shape: shape, scalars: scalars) } catch { throw fail(error.description) }
    }

    /// The deterministic `.npy` (v1.0, `<f8`, C order) bytes of `tensor`.
    public static func encode(_ tensor: Tensor<Double>) -> [UInt8] {
        let dims = tensor.shape.map(String.init)
        let shapeText = tensor.shape.count == 1 ? "(\(dims[0]),)" : "(" + dims.joined(separator: ", ") + ")"
        var header = "{'descr': '<f8', 'fortran_order': False, 'shape': \(shapeText), }"
        // Pad with spaces and a final newline so that magic + 4 + header is a multiple of 64.
        let unpadded = 10 + header.utf8.count + 1
        header += String(repeating: " ", count: (64 - unpadded % 64) % 64) + "\n"
        var out = magic + [1, 0]
        let n = header.utf8.count
        out += [UInt8(n & 0xff), UInt8(n >> 8)]
        out += Array(header.utf8)
        out.reserveCapacity(out.count + tensor.scalars.count * 8)
        for v in tensor.scalars {
            let bits = v.bitPattern.littleEndian
            withUnsafeBytes(of: bits) { out.append(contentsOf: $0) }
        }
        return out
    }

    /// The text after `'key':` up to the next top-level comma (shape tuples kept whole).
    static func field(_ key: String, in header: String) -> String? {
        guard let r = header.range(of: "'\(key)':") ?? header.range(of: "\"\(key)\":") else { return nil }
        var depth = 0
        var out = ""
        for c in header[r.upperBound...] {
            if c == "(" { depth += 1 }
            if c == ")" { depth -= 1 }
            if (c == "," && depth == 0) || c == "}" { break }
            out.append(c)
        }
        return out.trimmingCharacters(in: .whitespaces)
    }
}

import Foundation
