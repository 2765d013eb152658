// swift-tools-version:6.0
//
// One package, many independent libraries: each product can be depended on alone.
// No package dependencies and no unsafe flags, by design (see ARCHITECTURE.md).

import PackageDescription

let package = Package(
    name: "swift-llm-toolkit",
    platforms: [
        // The floor at which Synchronization.Mutex and Atomic exist.
        .macOS(.v15), .iOS(.v18), .tvOS(.v18), .watchOS(.v11), .visionOS(.v2),
    ],
    products: [
        .library(name: "LLMCore", targets: ["LLMCore"]),
        .library(name: "LLMTesting", targets: ["LLMTesting"]),
        .library(name: "CVectorKernels", targets: ["CVectorKernels"]),
        .library(name: "IndexFiles", targets: ["IndexFiles"]),
        .library(name: "HNSW", targets: ["HNSW"]),
        .library(name: "BM25", targets: ["BM25"]),
        .library(name: "Retrieval", targets: ["Retrieval"]),
        .library(name: "Tokenizers", targets: ["Tokenizers"]),
        .library(name: "Chunking", targets: ["Chunking"]),
        .library(name: "Resilience", targets: ["Resilience"]),
        .library(name: "LLMCache", targets: ["LLMCache"]),
        .library(name: "LLMProviders", targets: ["LLMProviders"]),
        .library(name: "ModelRouting", targets: ["ModelRouting"]),
        .library(name: "BatchProcessing", targets: ["BatchProcessing"]),
        .library(name: "TextClassification", targets: ["TextClassification"]),
        .executable(name: "llm-bench", targets: ["LLMBench"]),
        .executable(name: "SupportChatbot", targets: ["SupportChatbot"]),
        .executable(name: "ReviewBatch", targets: ["ReviewBatch"]),
        .executable(name: "ModerationPipeline", targets: ["ModerationPipeline"]),
    ],
    targets: [
        .target(name: "LLMCore"),
        .target(name: "LLMTesting", dependencies: ["LLMCore"]),
        .target(name: "CVectorKernels"),
        .target(name: "IndexFiles"),
        .target(name: "HNSW", dependencies: ["CVectorKernels", "IndexFiles"]),
        .target(name: "BM25", dependencies: ["IndexFiles"]),
        .target(name: "Retrieval", dependencies: ["LLMCore", "HNSW", "BM25"]),
        .target(name: "Tokenizers", dependencies: ["LLMCore"]),
        .target(name: "Chunking", dependencies: ["LLMCore", "Tokenizers"]),
        .target(name: "Resilience", dependencies: ["LLMCore"]),
        .target(name: "LLMCache", dependencies: ["LLMCore", "HNSW"]),
        .target(name: "LLMProviders", dependencies: ["LLMCore"]),
        .target(name: "ModelRouting", dependencies: ["LLMCore", "Resilience"]),
        .target(name: "BatchProcessing"),
        .target(name: "TextClassification", dependencies: ["LLMCore", "IndexFiles"]),
        .target(
            name: "SupportChatbotKit",
            dependencies: ["LLMCore", "Retrieval", "BM25", "Chunking", "LLMCache", "Resilience", "ModelRouting", "LLMProviders"],
            path: "Examples/SupportChatbot/Kit", resources: [.copy("Docs")]),
        .executableTarget(name: "SupportChatbot", dependencies: ["SupportChatbotKit", "LLMCore"], path: "Examples/SupportChatbot/App"),
        .target(
            name: "ReviewBatchKit", dependencies: ["LLMCore", "BatchProcessing", "LLMCache", "Resilience", "LLMProviders"],
            path: "Examples/ReviewBatch/Kit"),
        .executableTarget(name: "ReviewBatch", dependencies: ["ReviewBatchKit", "LLMCore", "LLMCache", "LLMProviders"], path: "Examples/ReviewBatch/App"),
        .target(
            name: "ModerationPipelineKit", dependencies: ["LLMCore", "TextClassification", "BatchProcessing", "Resilience", "LLMProviders"],
            path: "Examples/ModerationPipeline/Kit"),
        .executableTarget(
            name: "ModerationPipeline", dependencies: ["ModerationPipelineKit", "TextClassification", "BatchProcessing", "LLMCore", "Resilience", "LLMProviders"],
            path: "Examples/ModerationPipeline/App"),
        .executableTarget(name: "LLMBench", dependencies: ["HNSW", "BM25", "Retrieval", "Tokenizers", "Chunking", "Resilience", "LLMCache", "LLMProviders", "ModelRouting", "LLMTesting"], path: "Benchmarks/LLMBench"),
        .testTarget(name: "LLMCoreTests", dependencies: ["LLMCore"]),
        .testTarget(name: "LLMTestingTests", dependencies: ["LLMTesting", "LLMCore"]),
        .testTarget(name: "IndexFilesTests", dependencies: ["IndexFiles"]),
        .testTarget(name: "BM25Tests", dependencies: ["BM25", "IndexFiles", "LLMTesting"]),
        .testTarget(name: "RetrievalTests", dependencies: ["Retrieval", "LLMCore", "LLMTesting", "BM25"]),
        .testTarget(name: "TokenizersTests", dependencies: ["Tokenizers", "LLMCore", "LLMTesting"], resources: [.copy("Fixtures")]),
        .testTarget(name: "ChunkingTests", dependencies: ["Chunking", "Tokenizers", "LLMCore", "LLMTesting"]),
        .testTarget(name: "LLMCacheTests", dependencies: ["LLMCache", "LLMCore", "LLMTesting"]),
        .testTarget(name: "LLMProvidersTests", dependencies: ["LLMProviders", "LLMTesting", "LLMCore"]),
        .testTarget(name: "ModelRoutingTests", dependencies: ["ModelRouting", "Resilience", "LLMCore", "LLMTesting"]),
        .testTarget(name: "SupportChatbotTests", dependencies: ["SupportChatbotKit", "Retrieval", "ModelRouting", "LLMCore", "LLMTesting"]),
        .testTarget(name: "ReviewBatchTests", dependencies: ["ReviewBatchKit", "BatchProcessing", "LLMCache", "LLMCore", "LLMProviders", "LLMTesting"]),
        .testTarget(name: "TextClassificationTests", dependencies: ["TextClassification"]),
        .testTarget(name: "ModerationPipelineTests", dependencies: ["ModerationPipelineKit", "TextClassification", "BatchProcessing", "LLMCore", "LLMTesting", "Resilience"]),
        .testTarget(name: "ResilienceTests", dependencies: ["Resilience", "LLMCore", "LLMTesting"]),
        .testTarget(name: "HNSWTests", dependencies: ["HNSW", "CVectorKernels", "IndexFiles", "LLMTesting"]),
    ],
    swiftLanguageModes: [.v6]
)
