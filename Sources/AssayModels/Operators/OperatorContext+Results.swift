import AssayNumerics

extension OperatorContext {
    /// A result tensor; a shape that does not hold the elements is this node's error.
    func output(_ elementType: ElementType, shape: [Int], _ storage: ModelTensor.Storage) throws(ModelError) -> ModelValue {
        do {
            return .tensor(try ModelTensor(elementType: elementType, shape: shape, storage: storage, name: "output"))
        } catch {
            throw self.error("cannot make an output of shape \(shape): \(error)")
        }
    }

    /// `axis` (which may count from the end) as an index into `rank` axes.
    func normalizedAxis(_ axis: Int64, rank: Int, name: String = "axis") throws(ModelError) -> Int {
        guard let a = Int(exactly: axis), a >= -rank, a < rank else {
            throw error("\(name) \(axis) is out of range for a tensor of rank \(rank)")
        }
        return a < 0 ? a + rank : a
    }

    /// Input `index` as float32 values for the ML operators, which compute in float32: float64
    /// and integer inputs are rounded to the nearest float, as ONNX Runtime does.
    func floatValues(_ inputs: [ModelValue?], _ index: Int) throws(ModelError) -> (values: [Float], shape: [Int]) {
        let t = try tensor(inputs, index)
        switch t.storage {
        case .float(let v): return (v, t.shape)
        case .double(let v): return (v.map { Float($0) }, t.shape)
        case .int64(let v): return (v.map { Float($0) }, t.shape)
        case .string, .bool:
            throw error("input \(index) should be numeric (float32, float64, int64 or int32), got \(t.elementType)")
        }
    }

    /// Runs `body` over `blocks` on the pool, or serially when there is none; results in block
    /// order either way, so they never depend on the pool.
    func mapBlocks<Result: Sendable>(
        _ blocks: [Range<Int>], _ body: @escaping @Sendable (Range<Int>) -> Result
    ) -> [Result] {
        if let pool, blocks.count > 1 { return pool.map(blocks: blocks, body) }
        return blocks.map(body)
    }
}
