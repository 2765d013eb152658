/// A document's terms in one field as term ids, looked up ahead of time (in parallel, against a
/// snapshot of the dictionary); terms the snapshot did not know are kept as text.
struct ResolvedTerms: Sendable {
    /// A value with this bit set is an index into ``newTerms``; any other value is a term id.
    static let newTermFlag: UInt32 = 1 << 31
    var ids: [UInt32]
    var newTerms: [String]

    /// Looks `terms` up in `dictionary`.
    init(_ terms: [String], dictionary: [String: UInt32]) {
        ids = []
        ids.reserveCapacity(terms.count)
        newTerms = []
        for term in terms {
            if let id = dictionary[term] {
                ids.append(id)
            } else {
                ids.append(Self.newTermFlag | UInt32(newTerms.count))
                newTerms.append(term)
            }
        }
    }
}

/// The postings and statistics of one field, over the index's internal document numbers.
final class FieldIndex: @unchecked Sendable {
    let name: String
    let boost: Float
    var termIDs: [String: UInt32] = [:]
    var terms: [String] = []
    var postings: [PostingList] = []
    /// The field's length (terms after analysis) in each document; 0 where absent or removed.
    let lengths = StableBuffer<UInt32>()
    /// Each document's distinct term ids, so removal can update document frequencies exactly.
    var forward = ForwardLists()
    /// While a batch is open, the postings of its documents (term id and frequency, in document
    /// order; `stagedEnds[i]` ends document `batchStart + i`), appended to the lists when it closes.
    private var batchStart: Int?
    private var stagedTermIDs: [UInt32] = []
    private var stagedFrequencies: [UInt32] = []
    private var stagedEnds: [Int] = []
    /// Per-term counters used while adding one document (all zero between calls).
    private var frequencyScratch: [UInt32] = []
    private var touchedScratch: [UInt32] = []
    /// Live documents that have this field.
    var documentCount = 0
    /// The summed length of the field over live documents.
    var totalLength = 0

    init(name: String, boost: Float) {
        self.name = name
        self.boost = boost
    }

    /// Adds document `document` (the next number) with its analyzed terms.
    func add(document: UInt32, terms documentTerms: ResolvedTerms) {
        let length = UInt32(documentTerms.ids.count)
        lengths.append(length)
        guard length > 0 else {
            if batchStart != nil { stagedEnds.append(stagedTermIDs.count) }
            return forward.append([])
        }
        documentCount += 1
        totalLength += Int(length)
        // The loops below work on local arrays moved out of the object and moved back at the end:
        // mutating a class's stored arrays in a loop pays a dynamic exclusivity check and a
        // uniqueness check per access, which made this loop cost 250 ns a token.
        var scratch = frequencyScratch
        var touched = touchedScratch
        var ids = termIDs
        var knownTerms = terms
        frequencyScratch = []
        touchedScratch = []
        termIDs = [:]
        terms = []
        defer {
            frequencyScratch = scratch
            touchedScratch = touched
            termIDs = ids
            terms = knownTerms
        }
        // Indexes rebuilt by compaction or loading start with an empty scratch array.
        if scratch.count < knownTerms.count {
            scratch.append(contentsOf: repeatElement(0, count: knownTerms.count - scratch.count))
        }
        let inBatch = batchStart != nil
        // One dictionary lookup per token; frequencies are counted in a scratch array by term id
        // (all zero between documents) instead of a per-document dictionary.
        for token in documentTerms.ids {
            var id = token
            if token & ResolvedTerms.newTermFlag != 0 {
                // Unknown when the document was analysed; an earlier document may have added it since.
                let term = documentTerms.newTerms[Int(token & ~ResolvedTerms.newTermFlag)]
                if let existing = ids[term] {
                    id = existing
                } else {
                    id = UInt32(knownTerms.count)
                    ids[term] = id
                    knownTerms.append(term)
                    // In a batch the list is made when the batch closes, at its exact size.
                    if !inBatch { postings.append(PostingList()) }
                    scratch.append(0)
                }
            }
            if scratch[Int(id)] == 0 { touched.append(id) }
            scratch[Int(id)] += 1
        }
        if inBatch {
            var stagedIDs = stagedTermIDs
            var stagedCounts = stagedFrequencies
            stagedTermIDs = []
            stagedFrequencies = []
            for id in touched {
                stagedIDs.append(id)
                stagedCounts.append(scratch[Int(id)])
                scratch[Int(id)] = 0
            }
            stagedEnds.append(stagedIDs.count)
            stagedTermIDs = stagedIDs
            stagedFrequencies = stagedCounts
        } else {
            let postings = self.postings  // one retain for the loop, not one per term
            for id in touched {
                postings[Int(id)].append(document: document, frequency: scratch[Int(id)], length: length)
                scratch[Int(id)] = 0
            }
        }
        forward.append(touched)
        touched.removeAll(keepingCapacity: true)
    }

    /// Starts a batch: postings of the documents added until ``closeBatch()`` are held aside and
    /// then appended with each list grown once, to its exact size. Growing a hundred thousand
    /// lists by doubling while interleaving their allocations leaves the heap full of holes (at
    /// 100,000 documents the process kept 2.5× the index's size); one exact allocation per list
    /// per batch leaves none.
    func openBatch() {
        batchStart = forward.count
    }

    /// Appends the postings held since ``openBatch()``.
    func closeBatch() {
        guard let start = batchStart else { return }
        batchStart = nil
        var added = [Int](repeating: 0, count: terms.count)
        for id in stagedTermIDs { added[Int(id)] += 1 }
        for (id, count) in added.enumerated() where count > 0 && id < postings.count {
            postings[id].reserveCapacity(postings[id].count + count)
        }
        postings.reserveCapacity(terms.count)
        for id in postings.count..<terms.count { postings.append(PostingList(capacity: added[id])) }
        // The loop runs once per posting: it works on locals, and reaches each list unretained
        // (`postings` keeps them alive), where a class's stored array would cost an exclusivity
        // check and a retain and release per posting.
        let lists = postings.map { Unmanaged.passUnretained($0) }
        let termIDs = stagedTermIDs
        let frequencies = stagedFrequencies
        var position = 0
        for (offset, end) in stagedEnds.enumerated() {
            let document = start + offset
            let length = lengths[document]
            while position < end {
                let frequency = frequencies[position]
                lists[Int(termIDs[position])]._withUnsafeGuaranteedRef {
                    $0.append(document: UInt32(document), frequency: frequency, length: length)
                }
                position += 1
            }
        }
        withExtendedLifetime(postings) {}
        stagedTermIDs = []
        stagedFrequencies = []
        stagedEnds = []
    }

    /// Undoes the adds of every document numbered `documentLimit` or more, and forgets the terms
    /// first seen in them (ids `termLimit` and up): the rollback of a failed batch.
    func truncate(documents documentLimit: Int, terms termLimit: Int) {
        guard documentLimit < forward.count else { return }
        for document in documentLimit..<forward.count where lengths[document] > 0 {
            documentCount -= 1
            totalLength -= Int(lengths[document])
        }
        // Documents were appended in number order, so each one's postings are the lists' last entries.
        // Documents of an open batch have no postings in the lists yet: drop what is held aside.
        var listedLimit = forward.count
        if let start = batchStart {
            let keep = max(0, documentLimit - start)
            let keptPostings = keep == 0 ? 0 : stagedEnds[keep - 1]
            stagedTermIDs.removeSubrange(keptPostings...)
            stagedFrequencies.removeSubrange(keptPostings...)
            stagedEnds.removeSubrange(keep...)
            listedLimit = start
            if documentLimit <= start { batchStart = nil }
        }
        // Every list loses its postings of the dropped documents, whatever order they are undone in.
        for document in documentLimit..<max(documentLimit, listedLimit) {
            for id in forward.termIDs(of: document) { postings[Int(id)].removeLast() }
        }
        forward.truncate(to: documentLimit)
        lengths.truncate(to: documentLimit)
        for term in terms[termLimit...] { termIDs[term] = nil }
        terms.removeSubrange(termLimit...)
        postings.removeSubrange(min(termLimit, postings.count)...)
        frequencyScratch.removeSubrange(min(termLimit, frequencyScratch.count)...)
    }

    /// Removes a document's contribution to the statistics (its postings stay, skipped as removed).
    func remove(document: UInt32) {
        let length = lengths[Int(document)]
        guard length > 0 else { return }
        documentCount -= 1
        totalLength -= Int(length)
        lengths[Int(document)] = 0
        for id in forward.termIDs(of: Int(document)) { postings[Int(id)].documentFrequency -= 1 }
    }

    var memoryFootprint: Int {
        postings.reduce(0) { $0 + $1.memoryFootprint } + lengths.memoryFootprint + forward.memoryFootprint
            + terms.reduce(0) { $0 + $1.utf8.count + 16 } + termIDs.capacity * 24
    }
}

extension FieldIndex {
    /// A copy without the removed documents, renumbered by `newNumber` (ascending, so postings stay sorted).
    func compacted(newNumber: [UInt32?], liveCount: Int) -> FieldIndex {
        let fresh = FieldIndex(name: name, boost: boost)
        fresh.lengths.reserve(liveCount)
        for (old, new) in newNumber.enumerated() where new != nil { _ = new; fresh.lengths.append(lengths[old]) }
        var termsOfDocument = [[UInt32]](repeating: [], count: liveCount)
        for (id, list) in postings.enumerated() {
            let kept = PostingList()
            for index in 0..<list.count {
                guard let new = newNumber[Int(list.documents[index])] else { continue }
                kept.append(document: new, frequency: list.frequency(at: index), length: fresh.lengths[Int(new)])
                termsOfDocument[Int(new)].append(UInt32(id))
            }
            kept.shrinkToFit()
            fresh.postings.append(kept)
        }
        fresh.terms = terms
        fresh.termIDs = termIDs
        for termIDs in termsOfDocument { fresh.forward.append(termIDs) }
        fresh.documentCount = documentCount
        fresh.totalLength = totalLength
        return fresh
    }
}
