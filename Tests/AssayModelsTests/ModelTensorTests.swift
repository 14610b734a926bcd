import Testing
@testable import AssayModels

@Suite struct ModelTensorTests {
    @Test func shapeMustHoldTheElements() {
        #expect(throws: ModelError.self) {
            try ModelTensor(elementType: .float32, shape: [2, 3], storage: .float([1, 2, 3]))
        }
        #expect(throws: ModelError.self) {
            try ModelTensor(elementType: .float32, shape: [-1], storage: .float([]))
        }
        #expect(throws: ModelError.self) {
            try ModelTensor(elementType: .int64, shape: [1], storage: .float([1]))
        }
        #expect(throws: ModelError.self) {
            try ModelTensor(elementType: .float32, shape: [Int.max, 3], storage: .float([]))
        }
    }

    @Test func narrowIntegersAreHeldWidened() throws {
        let t = try ModelTensor(elementType: .int32, shape: [2], storage: .int64([1, 2]))
        #expect(t.int64s == [1, 2])
        #expect(t.elementType.description == "int32")
    }
}
