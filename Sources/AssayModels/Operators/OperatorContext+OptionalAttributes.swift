extension OperatorContext {
    /// The ints attribute `name`, or nil when the node does not have it.
    func optionalInts(_ name: String) throws(ModelError) -> [Int64]? {
        node.attributes[name] == nil ? nil : try ints(name)
    }
}
