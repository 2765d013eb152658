import BM25
import Foundation

/// How rare a term is in a whole corpus: what ``ExtractiveAnswerer`` weighs question terms by,
/// instead of guessing from the few passages in one prompt (where a word the whole corpus is
/// about, such as the product's name, can look rare and outweigh the words that matter).
public protocol TermStatistics: Sendable {
    /// The inverse document frequency of an analyzed `term` — `log(1 + N / df)` over the corpus's
    /// N documents — or `nil` when the corpus does not have the term.
    func inverseDocumentFrequency(of term: String) -> Double?
}

extension BM25Index: TermStatistics {
    /// The term's inverse document frequency in the default field, `nil` when no document has it.
    public func inverseDocumentFrequency(of term: String) -> Double? {
        inverseDocumentFrequency(of: term, field: BM25Index.defaultFieldName)
    }

    /// The term's inverse document frequency in `field`, `nil` when no document has it there.
    public func inverseDocumentFrequency(of term: String, field: String) -> Double? {
        let frequency = documentFrequency(of: term, field: field), total = documentCount(field: field)
        guard frequency > 0, total > 0 else { return nil }
        return log(1 + Double(total) / Double(frequency))
    }
}

extension HybridRetriever: TermStatistics {
    /// The term's inverse document frequency among the retriever's document texts (from its keyword index).
    public func inverseDocumentFrequency(of term: String) -> Double? {
        keywords.inverseDocumentFrequency(of: term, field: Self.bodyField)
    }
}
