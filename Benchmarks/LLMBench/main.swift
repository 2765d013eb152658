// llm-bench: release-mode benchmarks of the package's modules, one subcommand per module.
// See Benchmarks/README.md for the interface and the peer comparisons.

import Foundation

let commands: [String: (inout Arguments) throws -> Void] = [
    "hnsw": runHNSWBenchmark,
    "vectors": runVectorGenerator,
    "bm25": runBM25Benchmark,
    "zipf-corpus": runZipfCorpus,
    "retrieval": runRetrievalBenchmark,
    "tokenize": runTokenizeBenchmark,
    "chunk": runChunkBenchmark,
    "resilience-sim": runResilienceSimulation,
    "resilience-overhead": runResilienceOverhead,
    "cache": runCacheBenchmark,
    "semantic-cache": runSemanticCacheBenchmark,
    "stream-parse": runStreamParseBenchmark,
    "provider-overhead": runProviderOverheadBenchmark,
    "routing-sim": runRoutingSimulation,
]

var arguments = Arguments(CommandLine.arguments.dropFirst())
guard let command = arguments.popCommand(), let run = commands[command] else {
    print("usage: llm-bench <\(commands.keys.sorted().joined(separator: "|"))> [options] [--json]")
    exit(2)
}
do {
    try run(&arguments)
    try arguments.rejectUnused()
} catch {
    FileHandle.standardError.write(Data("llm-bench \(command): \(error)\n".utf8))
    exit(1)
}
