import Foundation
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import AssayStore

/// Reads a NumPy `.npy` array as a capture (format `npy`), one event per row (the first
/// dimension), streamed: the header is checked against the file size first, then rows are read
/// one at a time. Each event's input is one tensor `input` of shape `[1, …]` (the row), of the
/// array's datatype (`<f8` FP64, `<f4` FP32, `<i8` INT64, … `|b1` BOOL). Events have no request
/// id and no timestamp. `.npz` archives are refused with a message saying how to convert them.
final class NPYSource {
    private let fd: Int32
    private let place: String
    private let dtype: NPYFormat.DType
    private let rowShape: [Int]
    private let rows: Int
    private let rowBytes: Int
    private var row = 0
    private var offset: Int64

    init(path: String, place: String) throws(PipelineError) {
        self.place = place
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { throw .invalidInput(place: place, problem: "cannot be opened (errno \(errno))", fix: "Check the path.") }
        var st = stat()
        fstat(fd, &st)
        let size = Int64(st.st_size)
        func fail(_ problem: String, _ at: Int? = nil) -> PipelineError {
            .invalidInput(place: place + (at.map { " (byte \($0))" } ?? ""), problem: problem,
                          fix: "Pass a NumPy .npy file written by numpy.save with a numeric or Boolean dtype.")
        }
        var head = [UInt8](repeating: 0, count: 12)
        let got = head.withUnsafeMutableBytes { pread(fd, $0.baseAddress, 12, 0) }
        if got >= 4, head[0] == 0x50, head[1] == 0x4b, head[2] == 0x03, head[3] == 0x04 {
            close(fd)
            throw .invalidInput(place: place, problem: "a .npz archive (zip); Assay reads single .npy arrays",
                                fix: "Save each array on its own: python -c \"import numpy as np; np.save('x.npy', np.load('file.npz')['x'])\", then import x.npy.")
        }
        guard got >= 10, Array(head[0..<6]) == NPYFormat.magic else { close(fd); throw fail("not a NumPy .npy file (wrong magic)", 0) }
        let headerLength: Int
        let headerStart: Int
        switch head[6] {
        case 1:
            headerLength = Int(head[8]) | Int(head[9]) << 8
            headerStart = 10
        case 2, 3:
            guard got >= 12 else { close(fd); throw fail("truncated header", 8) }
            headerLength = Int(head[8]) | Int(head[9]) << 8 | Int(head[10]) << 16 | Int(head[11]) << 24
            headerStart = 12
        default:
            close(fd)
            throw fail("unsupported .npy format version \(head[6]).\(head[7])", 6)
        }
        guard headerLength <= 1 << 20, Int64(headerStart + headerLength) <= size else { close(fd); throw fail("truncated header (needs \(headerLength) bytes)", headerStart) }
        var headerBytes = [UInt8](repeating: 0, count: headerLength)
        _ = headerBytes.withUnsafeMutableBytes { pread(fd, $0.baseAddress, headerLength, off_t(headerStart)) }
        let header = String(decoding: headerBytes, as: UTF8.self)
        guard let descr = NPYFormat.field("descr", in: header), let fortran = NPYFormat.field("fortran_order", in: header), let shapeText = NPYFormat.field("shape", in: header) else {
            close(fd)
            throw fail("header is not a NumPy dictionary with descr, fortran_order and shape", headerStart)
        }
        let descrValue = descr.trimmingCharacters(in: CharacterSet(charactersIn: "'\" "))
        guard let dtype = NPYFormat.DType(rawValue: descrValue == "<b1" ? "|b1" : descrValue) else {
            close(fd)
            throw fail("unsupported dtype \(descrValue) (Assay reads little-endian floats, integers and booleans)", headerStart)
        }
        guard fortran.trimmingCharacters(in: .whitespaces) == "False" else { close(fd); throw fail("Fortran-ordered arrays are not supported; save with np.ascontiguousarray", headerStart) }
        var shape: [Int] = []
        for part in shapeText.trimmingCharacters(in: CharacterSet(charactersIn: "() ")).split(separator: ",") {
            let t = part.trimmingCharacters(in: .whitespaces)
            if t.isEmpty { continue }
            guard let d = Int(t), d >= 0 else { close(fd); throw fail("bad shape \(shapeText)", headerStart) }
            shape.append(d)
        }
        guard let first = shape.first else { close(fd); throw fail("a 0-dimensional array holds no rows", headerStart) }
        let rowShape = Array(shape.dropFirst())
        guard let perRow = CaptureTensor.elementCount(rowShape), let total = CaptureTensor.elementCount(shape) else { close(fd); throw fail("shape \(shape) is too large", headerStart) }
        let dataStart = headerStart + headerLength
        let needed = Int64(total) * Int64(dtype.size)
        guard size - Int64(dataStart) == needed else {
            close(fd)
            throw fail("shape \(shape) of \(dtype.rawValue) needs \(needed) data bytes, the file has \(size - Int64(dataStart))\(size - Int64(dataStart) < needed ? ": it is truncated" : "")", dataStart)
        }
        guard perRow * dtype.size <= 64 << 20 else { close(fd); throw fail("one row of shape \(rowShape) is larger than 64 MiB", headerStart) }
        self.fd = fd
        self.dtype = dtype
        self.rowShape = rowShape
        self.rows = first
        self.rowBytes = perRow * dtype.size
        self.offset = Int64(dataStart)
    }

    deinit { close(fd) }

    var datatype: String {
        switch dtype {
        case .f8: "FP64"
        case .f4: "FP32"
        case .i8: "INT64"
        case .i4: "INT32"
        case .i2: "INT16"
        case .i1: "INT8"
        case .u1: "UINT8"
        case .u2: "UINT16"
        case .u4: "UINT32"
        case .u8: "UINT64"
        case .b1: "BOOL"
        }
    }

    func next() throws(PipelineError) -> CaptureSourceItem? {
        guard row < rows else { return nil }
        var bytes = [UInt8](repeating: 0, count: rowBytes)
        var done = 0
        while done < rowBytes {
            let n = bytes.withUnsafeMutableBytes { pread(fd, $0.baseAddress! + done, rowBytes - done, off_t(offset) + off_t(done)) }
            if n < 0 && errno == EINTR { continue }
            guard n > 0 else { throw .invalidInput(place: "\(place) (row \(row + 1))", problem: "the file ended early", fix: "The file is truncated; save it again.") }
            done += n
        }
        offset += Int64(rowBytes)
        row += 1
        let size = dtype.size
        var data: [JSONValue] = []
        data.reserveCapacity(rowBytes / max(size, 1))
        bytes.withUnsafeBytes { raw in
            for i in 0..<(rowBytes / size) {
                let p = raw.baseAddress! + i * size
                switch dtype {
                case .f8:
                    let d = Double(bitPattern: UInt64(littleEndian: p.loadUnaligned(as: UInt64.self)))
                    data.append(d.isFinite ? .double(d) : .null)
                case .f4:
                    let f = Float(bitPattern: UInt32(littleEndian: p.loadUnaligned(as: UInt32.self)))
                    data.append(JSONValue(float32: f))
                case .i8: data.append(JSONValue(Int64(littleEndian: p.loadUnaligned(as: Int64.self))))
                case .i4: data.append(JSONValue(Int32(littleEndian: p.loadUnaligned(as: Int32.self))))
                case .i2: data.append(JSONValue(Int16(littleEndian: p.loadUnaligned(as: Int16.self))))
                case .i1: data.append(JSONValue(p.load(as: Int8.self)))
                case .u1: data.append(JSONValue(p.load(as: UInt8.self)))
                case .b1: data.append(.bool(p.load(as: UInt8.self) != 0))
                case .u2: data.append(JSONValue(UInt16(littleEndian: p.loadUnaligned(as: UInt16.self))))
                case .u4: data.append(JSONValue(UInt32(littleEndian: p.loadUnaligned(as: UInt32.self))))
                case .u8: data.append(JSONValue(UInt64(littleEndian: p.loadUnaligned(as: UInt64.self))))
                }
            }
        }
        var e = CaptureEvent(status: .row)
        e.inputs = [CaptureTensor(name: "input", datatype: datatype, shape: [1] + rowShape, data: data)]
        e.requestLine = row
        return .event(e)
    }
}
