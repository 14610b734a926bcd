extension InferenceSession {
    /// Checks `inputs` against the model's declared inputs: every one given, no others, each
    /// with the declared element type, rank and fixed dimensions. Returns the tensors in
    /// declared order.
    func checkInputs(_ inputs: [String: ModelTensor]) throws(ModelError) -> [ModelTensor] {
        let declared = model.inputs
        func expected() -> String { declared.map(\.description).joined(separator: "; ") }
        var given: [ModelTensor] = []
        given.reserveCapacity(declared.count)
        for signature in declared {
            if let tensor = inputs[signature.name] { given.append(tensor) }
        }
        if given.count != inputs.count || given.count != declared.count {
            // Unknown names first (in name order), then the declared inputs in order.
            for name in inputs.keys.sorted() where !declared.contains(where: { $0.name == name }) {
                throw .invalidInput(name: name, problem: "the model has no input of that name. Its inputs are: \(expected())")
            }
            for signature in declared {
                guard let tensor = inputs[signature.name] else {
                    throw .invalidInput(name: signature.name, problem: "the input is missing. Pass a tensor for every model input: \(expected())")
                }
                try check(tensor, against: signature)
            }
        }
        for (signature, tensor) in zip(declared, given) { try check(tensor, against: signature) }
        return given
    }

    /// Checks one input's element type, rank and fixed dimensions.
    private func check(_ tensor: ModelTensor, against signature: ValueSignature) throws(ModelError) {
        guard case .tensor(let elementType, let shape) = signature.kind else { return }
        guard tensor.elementType == elementType else {
            throw .invalidInput(
                name: signature.name,
                problem: "expected \(elementType) elements, got \(tensor.elementType). Convert the data to \(elementType) (declared: \(signature))")
        }
        guard let shape else { return }
        guard tensor.shape.count == shape.count else {
            throw .invalidInput(
                name: signature.name,
                problem: "expected rank \(shape.count), got shape \(tensor.shape) of rank \(tensor.shape.count) (declared: \(signature))")
        }
        for (axis, (want, got)) in zip(shape, tensor.shape).enumerated() {
            if let want, want != got {
                throw .invalidInput(
                    name: signature.name,
                    problem: "dimension \(axis) must be \(want), got shape \(tensor.shape) (declared: \(signature))")
            }
        }
    }
}
