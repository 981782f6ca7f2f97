public import Visage
public import VisageHeads
import Foundation

/// CelebA attributes from face features: for each of the 40 attributes with enough photos on
/// both sides, a binary head is scored by k-fold cross-validation by image: each photo is
/// predicted by a head that never saw it, whose penalty was chosen by an inner cross-validation
/// on the other folds only. The majority-class baseline is the figure to beat, LNets+ANet's
/// published accuracy the reference.
///
/// Features (``features``): SFace's `bn1` map pooled over columns (``FeatureMapVectors``, read
/// by a ridge classifier, as the face-attributes paper reads attributes off deep features
/// linearly): by default the inner cross-validation chooses, per attribute and training part,
/// between the aligned crop's map alone and it beside the map of a wider context crop (hair,
/// hat, ears, neck); either can be forced; or the 128-d identity embedding (read by a
/// ``HeadTrainer`` softmax head, and a head per attribute is written for `visage analyze --head`).
///
/// ```swift
/// let attributes = try CelebAAttributes(contentsOf: root + "/list_attr_celeba.txt")
/// let report = try await AttributeEvaluation(attributes: attributes, images: root + "/images", source: root)
///     .run(analyzer: analyzer, output: "out/eval/attributes") { _, _, _ in }
/// ```
public struct AttributeEvaluation: Sendable {
    public var attributes: CelebAAttributes
    public var images: String
    public var source: String
    /// An attribute is attempted only when at least this many photos with a face are positive
    /// and at least this many negative; default 5 (one per fold at 5 folds: Gray_Hair's 9
    /// positives are attempted, Bald's and Mustache's 4 are not).
    public var minimumPerSide = 5
    /// Outer folds; default 5.
    public var folds = 5
    /// Seed of the fold assignment; default 1.
    public var seed: UInt64 = 1
    /// What the heads read; default ``Features/sfaceMapOrContext``.
    public var features: Features = .sfaceMapOrContext
    /// Ridge penalties (per training photo) the inner cross-validation chooses from, strongest
    /// first, for ``Features/sfaceMap``; chosen on the photos by training/bn1-heads/celeba_cv.py.
    public var ridgePenalties: [Double] = [10, 1, 0.1, 0.01, 0.001]
    /// For the ridge heads: where the score is cut, from the inner cross-validation's
    /// out-of-fold scores (chosen penalty); default ``Threshold/logistic``. On a 95/5 attribute
    /// a score cut at 0 mostly answers the commoner side.
    public var threshold: Threshold = .logistic
    /// For the ridge heads: what the inner cross-validation ranks the penalties by; default
    /// ``PenaltyChoice/squaredError``.
    public var penaltyChoice: PenaltyChoice = .squaredError
    /// For the SFace map features: average each crop's pooled map with its mirror image's (one
    /// more SFace pass per photo); default false: over 15 outer fold seeds it left the count
    /// above the majority answer where it was (30.1 against 30.1) and the mean accuracy 0.1
    /// point higher (training/bn1-heads/README.md).
    public var averagesMirror = false

    /// The decision threshold of a ridge head.
    public enum Threshold: String, Sendable, CaseIterable {
        /// Cut at 0 (the first evaluation's rule).
        case zero
        /// The cut at which most inner out-of-fold scores are right, 0 among equals.
        case mostRight = "most-right"
        /// Where a logistic fit of the labels on the inner out-of-fold scores crosses one half:
        /// a smooth fit to every score rather than the best of many cuts, so a rare attribute's
        /// cut does not jump to whichever gap between its few positives happened to win.
        case logistic
    }

    /// What ranks the ridge penalties in the inner cross-validation.
    public enum PenaltyChoice: String, Sendable, CaseIterable {
        /// Out-of-fold answers right with the cut at 0 (the first evaluation's rule): on a rare
        /// attribute every penalty answers "no" for all, and the strongest wins the tie.
        case accuracy
        /// Out-of-fold squared error of the score against the −1/1 target, which tells
        /// penalties apart even when no score crosses 0.
        case squaredError = "squared-error"
    }

    public enum Features: String, Sendable, CaseIterable {
        /// SFace's `bn1` map, averaged over the columns of each row (7,168 values).
        case sfaceMap = "sface-map"
        /// The same beside the map of the context crop (``FeatureMapVectors/contextTemplate``):
        /// 14,336 values.
        case sfaceMapContext = "sface-map-context"
        /// Either of the two above, chosen with the penalty by the inner cross-validation for
        /// each attribute and outer training part (the aligned crop's map among equals). Over
        /// outer fold seeds 6–25 it puts 30.85 attributes above the majority answer on average
        /// against 30.20 for ``sfaceMap`` and 30.75 for ``sfaceMapContext``: hair and earrings
        /// take the wide crop, the face's own attributes mostly not (training/bn1-heads/README.md).
        case sfaceMapOrContext = "sface-map-or-context"
        /// The 128-d SFace identity embedding.
        case embedding
    }

    public init(attributes: CelebAAttributes, images: String, source: String) {
        self.attributes = attributes
        self.images = images
        self.source = source
    }

    /// Embeds every labelled photo (cached in `embeddings.tsv`), cross-validates each
    /// attribute, writes `report.json`, `report.md` and, for each attempted attribute, a head
    /// trained on all photos to `heads/<Attribute>.json` (usable with `visage analyze --head`).
    public func run(analyzer: FaceAnalyzer, output: String, progress: EvaluationProgress) async throws(EvaluationError) -> AttributeReport {
        try ReportFiles.createDirectory(output)
        let files = attributes.labels.keys.sorted()
        let present = files.filter { FileManager.default.fileExists(atPath: images + "/" + $0) }
        guard !present.isEmpty else { throw .missing(path: images, hint: "Expected the photos named in list_attr_celeba.txt in images/.") }
        if features != .embedding {
            let vectors = try await FeatureMapVectors.collect(present.map { images + "/" + $0 }, analyzer: analyzer,
                                                              context: features != .sfaceMap, mirrored: averagesMirror,
                                                              progress: progress)
            var report = evaluate(files: present, vectors: vectors)
            report.missingImages = files.count - present.count
            try report.write(to: output)
            return report
        }
        let embeddings = await ImageEmbeddings.collect(present.map { images + "/" + $0 }, analyzer: analyzer,
                                                       cachePath: output + "/" + EmbeddingCache.fileName, progress: progress)
        var (report, heads) = try evaluate(files: present, embeddings: embeddings)
        report.missingImages = files.count - present.count
        try ReportFiles.createDirectory(output + "/heads")
        for head in heads {
            do { try head.write(to: output + "/heads/" + head.name + ".json") } catch {
                throw .unwritable(path: output + "/heads/" + head.name + ".json", reason: error.errorDescription ?? "\(error)")
            }
        }
        try report.write(to: output)
        return report
    }

    /// The figures from embeddings already computed; also returns the heads trained on every photo.
    public func evaluate(files: [String], embeddings: ImageEmbeddings) throws(EvaluationError) -> (AttributeReport, [FaceHead]) {
        let usable = files.filter { embeddings.embeddings[images + "/" + $0] != nil }
        let rows = usable.map { embeddings.embeddings[images + "/" + $0]! }
        var results: [AttributeResult] = []
        var heads: [FaceHead] = []
        for (a, attribute) in attributes.names.enumerated() {
            let labels = usable.map { attributes.labels[$0]![a] ? 1 : 0 }
            let positives = labels.count { $0 == 1 }
            let negatives = labels.count - positives
            var result = AttributeResult(attribute: attribute, photos: labels.count, positives: positives)
            result.published = LNetANetFigures.accuracy[attribute]
            guard min(positives, negatives) >= minimumPerSide else {
                result.reason = positives < minimumPerSide
                    ? "too few positives (\(positives) of \(labels.count); needs \(minimumPerSide))"
                    : "too few negatives (\(negatives) of \(labels.count); needs \(minimumPerSide))"
                results.append(result)
                continue
            }
            let outer = CrossValidation(folds: folds, seed: seed)
            let fold = outer.assignFolds(labels: labels)
            var predicted = [Int](repeating: 0, count: labels.count)
            let trainer = HeadTrainer(crossValidation: CrossValidation(folds: folds, seed: seed))
            do {
                for f in 0..<folds {
                    let train = labels.indices.filter { fold[$0] != f }
                    let head = try trainer.train(name: attribute, labelNames: ["no", "yes"], rows: train.map { rows[$0] }, labels: train.map { labels[$0] })
                    for i in labels.indices where fold[i] == f { predicted[i] = head.classifier.predict(rows[i]) }
                }
                heads.append(try trainer.train(name: attribute, labelNames: ["no", "yes"], rows: rows, labels: labels))
            } catch {
                throw .modelFailed(reason: "\(attribute): " + (error.errorDescription ?? "\(error)"))
            }
            let figures = CrossValidationResult(labels: labels, predicted: predicted, classCount: 2, folds: folds)
            result.record(figures, photos: labels.count)
            results.append(result)
        }
        let report = AttributeReport(
            name: "CelebA attributes", source: source, photos: files.count, withoutFace: embeddings.withoutFace.count,
            unreadableImages: embeddings.unreadable, missingImages: 0, folds: folds, seed: seed, minimumPerSide: minimumPerSide,
            features: FaceFeatures.sface.rawValue + " (" + FaceFeatures.sface.model + ")", attributes: results)
        return (report, heads)
    }
}

extension AttributeEvaluation {
    /// The figures from pooled `bn1` maps: nested cross-validation of a ridge classifier per
    /// attribute (outer folds by image; the penalty, the decision threshold and, for
    /// ``Features/sfaceMapOrContext``, which maps it reads, chosen by an inner cross-validation
    /// on the outer training part only).
    public func evaluate(files: [String], vectors: FeatureMapVectors) -> AttributeReport {
        let usable = files.filter { vectors.vectors[images + "/" + $0] != nil }
        let rows = usable.map { vectors.vectors[images + "/" + $0]! }
        // The candidate feature sets, the first preferred among equals: the aligned crop's map
        // (the first FeatureMapVectors.dimension values), and with the choice also both maps.
        let candidates = features == .sfaceMapOrContext
            ? [RidgeClassification(rows: rows.map { Array($0.prefix(FeatureMapVectors.dimension)) }), RidgeClassification(rows: rows)]
            : [RidgeClassification(rows: rows)]
        var results: [AttributeResult] = []
        for (a, attribute) in attributes.names.enumerated() {
            let labels = usable.map { attributes.labels[$0]![a] ? 1 : 0 }
            let positives = labels.count { $0 == 1 }
            let negatives = labels.count - positives
            var result = AttributeResult(attribute: attribute, photos: labels.count, positives: positives)
            result.published = LNetANetFigures.accuracy[attribute]
            result.majorityBaseline = Format.rounded(Double(max(positives, negatives)) / Double(max(1, labels.count)))
            guard min(positives, negatives) >= minimumPerSide else {
                result.reason = (positives < minimumPerSide ? "too few positives (\(positives)" : "too few negatives (\(negatives)")
                    + " of \(labels.count); needs \(minimumPerSide)): counted at the majority answer"
                results.append(result)
                continue
            }
            let fold = CrossValidation(folds: folds, seed: seed).assignFolds(labels: labels)
            var predicted = [Int](repeating: 0, count: labels.count)
            for f in 0..<folds {
                let train = labels.indices.filter { fold[$0] != f }, test = labels.indices.filter { fold[$0] == f }
                let inner = CrossValidation(folds: folds, seed: seed + 1).assignFolds(labels: train.map { labels[$0] })
                let trainLabels = train.map { labels[$0] }
                var best: (merit: Double, candidate: Int, penalty: Double, outOfFold: [Double])?
                for (c, ridge) in candidates.enumerated() {
                    for penalty in ridgePenalties {
                        var outOfFold = [Double](repeating: 0, count: train.count)
                        for g in 0..<folds {
                            let fitted = train.indices.filter { inner[$0] != g }
                            let checked = train.indices.filter { inner[$0] == g }
                            let scores = ridge.scores(labels: labels, train: fitted.map { train[$0] }, test: checked.map { train[$0] }, decay: penalty)
                            for (k, s) in zip(checked, scores) { outOfFold[k] = s }
                        }
                        let merit = Self.merit(of: outOfFold, labels: trainLabels, by: penaltyChoice)
                        if best == nil || merit > best!.merit { best = (merit, c, penalty, outOfFold) }
                    }
                }
                if candidates.count > 1 { result.contextChosen = (result.contextChosen ?? 0) + best!.candidate }
                let cut: Double
                switch threshold {
                case .zero: cut = 0
                case .mostRight: cut = Self.bestThreshold(scores: best!.outOfFold, labels: trainLabels)
                case .logistic: cut = Self.logisticThreshold(scores: best!.outOfFold, labels: trainLabels)
                }
                let scores = candidates[best!.candidate].scores(labels: labels, train: train, test: test, decay: best!.penalty)
                for (i, s) in zip(test, scores) { predicted[i] = s > cut ? 1 : 0 }
            }
            let figures = CrossValidationResult(labels: labels, predicted: predicted, classCount: 2, folds: folds)
            result.record(figures, photos: labels.count)
            results.append(result)
        }
        return AttributeReport(
            name: "CelebA attributes", source: source, photos: files.count, withoutFace: vectors.withoutFace.count,
            unreadableImages: vectors.unreadable, missingImages: 0, folds: folds, seed: seed, minimumPerSide: minimumPerSide,
            features: (features == .sfaceMapContext
                ? "SFace bn1 maps of the aligned crop and of the context crop, each averaged over columns (14,336 values)"
                : features == .sfaceMapOrContext
                ? "SFace bn1 map of the aligned crop alone (7,168 values) or beside the context crop's (14,336), chosen by the inner CV per attribute, each averaged over columns"
                : "SFace bn1 map of the aligned crop, averaged over columns (7,168 values)")
                + (averagesMirror ? ", each averaged with its mirror image's" : "")
                + ", ridge classifier, penalty by inner " + (penaltyChoice == .accuracy ? "accuracy" : "squared error")
                + (threshold == .zero ? ", cut at 0" : threshold == .mostRight ? ", cut where most inner out-of-fold scores are right"
                    : ", cut where a logistic fit to the inner out-of-fold scores crosses 1/2"),
            attributes: results)
    }

    /// How well out-of-fold scores answer the labels, higher better: answers right with the cut
    /// at 0, or minus the squared error against the −1/1 targets.
    static func merit(of scores: [Double], labels: [Int], by choice: PenaltyChoice) -> Double {
        switch choice {
        case .accuracy: Double(zip(scores, labels).count { (s, l) in (s > 0 ? 1 : 0) == l })
        case .squaredError: -zip(scores, labels).reduce(0) { e, pair in
            let d = pair.0 - (pair.1 == 1 ? 1 : -1)
            return e + d * d
        }
        }
    }

    /// The score at which a logistic fit P(label 1) = σ(a·score + b) (Newton steps, a faint L2
    /// pull that keeps separable scores finite) crosses one half, −b/a; 0 when the fit does not
    /// rise with the score (a ≤ 0) or there is only one label.
    static func logisticThreshold(scores: [Double], labels: [Int]) -> Double {
        guard Set(labels).count == 2 else { return 0 }
        var a = 1.0, b = 0.0
        let pull = 1e-6
        for _ in 0..<100 {
            var ga = pull * a, gb = pull * b, haa = pull, hab = 0.0, hbb = pull
            for (s, l) in zip(scores, labels) {
                let p = 1 / (1 + exp(-(a * s + b)))
                let r = p - Double(l), w = p * (1 - p)
                ga += r * s; gb += r
                haa += w * s * s; hab += w * s; hbb += w
            }
            let det = haa * hbb - hab * hab
            guard det > 0 else { break }
            let da = (hbb * ga - hab * gb) / det, db = (haa * gb - hab * ga) / det
            a -= da; b -= db
            if max(abs(da), abs(db)) < 1e-10 { break }
        }
        return a > 0 && (-b / a).isFinite ? -b / a : 0
    }

    /// The cut on the scores (0, or a midpoint between two neighbouring sorted scores) that
    /// gets the most labels right; among equals the one nearest 0.
    static func bestThreshold(scores: [Double], labels: [Int]) -> Double {
        let sorted = scores.sorted()
        var candidates = [0.0]
        for k in sorted.indices.dropFirst() { candidates.append((sorted[k - 1] + sorted[k]) / 2) }
        var best = (right: -1, cut: 0.0)
        for cut in candidates {
            let right = zip(scores, labels).count { (s, l) in (s > cut ? 1 : 0) == l }
            if right > best.right || (right == best.right && abs(cut) < abs(best.cut)) { best = (right, cut) }
        }
        return best.cut
    }
}

/// One attribute's outcome; the figures are nil when it was not attempted.
public struct AttributeResult: Codable, Sendable {
    public var attribute: String
    public var photos: Int
    public var positives: Int
    public var accuracy: Double?
    public var balancedAccuracy: Double?
    public var majorityBaseline: Double?
    /// Accuracy above the majority baseline by more than two of the baseline's standard errors.
    public var beatsBaseline: Bool?
    /// Why it is not (or not usefully) predicted.
    public var reason: String?
    /// LNets+ANet's published accuracy on CelebA's test set (``LNetANetFigures``).
    public var published: Double?
    /// With ``AttributeEvaluation/Features/sfaceMapOrContext``: in how many of the outer folds
    /// the inner cross-validation chose the context crop's map beside the aligned crop's.
    public var contextChosen: Int?

    /// Accuracy counted for the mean: the cross-validated one, or the majority answer's when
    /// the attribute was not attempted.
    public var countedAccuracy: Double? { accuracy ?? majorityBaseline }

    public init(attribute: String, photos: Int, positives: Int) {
        self.attribute = attribute
        self.photos = photos
        self.positives = positives
    }
}

/// The result of an ``AttributeEvaluation``.
public struct AttributeReport: EvaluationReport {
    public var kind = "attributes"
    public var name: String
    public var source: String
    public var photos: Int
    public var withoutFace: Int
    public var unreadableImages: [UnreadableImage]
    /// Labelled files with no image in images/.
    public var missingImages: Int
    public var folds: Int
    public var seed: UInt64
    public var minimumPerSide: Int
    public var features: String
    public var attributes: [AttributeResult]

    public var predicted: [AttributeResult] { attributes.filter { $0.beatsBaseline == true } }
    /// Attributes whose cross-validated accuracy is above the majority answer's at all.
    public var aboveMajority: [AttributeResult] { attributes.filter { ($0.accuracy ?? 0) > ($0.majorityBaseline ?? 1) } }
    /// Mean over all attributes of ``AttributeResult/countedAccuracy``.
    public var meanAccuracy: Double? {
        let counted = attributes.compactMap(\.countedAccuracy)
        return counted.isEmpty ? nil : counted.reduce(0, +) / Double(counted.count)
    }
    /// LNets+ANet's published mean over the same attributes.
    public var publishedMean: Double? {
        let published = attributes.compactMap(\.published)
        return published.isEmpty ? nil : published.reduce(0, +) / Double(published.count)
    }

    public func markdown() -> String {
        var out = "## CelebA attributes: \(name)\n\n"
        out += "Data: `\(source)`, \(photos) labelled photos (\(withoutFace) without a detected face, left out). "
        out += "Features: \(features). Each attribute's head is scored by \(folds)-fold cross-validation by image (seed \(seed)); "
        out += "the L2 penalty is chosen inside each training part. Baseline: always the commoner answer. "
        out += "**\(aboveMajority.count) of \(attributes.count)** attributes are predicted above it, "
        out += "**\(predicted.count)** clearly (by more than two of the baseline's standard errors).\n\n"
        if let meanAccuracy {
            out += "Mean accuracy over all \(attributes.count) attributes (those not attempted counted at the majority answer): **"
            out += Format.percent(meanAccuracy, decimals: 1) + "**"
            if let publishedMean { out += " against LNets+ANet's published " + Format.percent(publishedMean, decimals: 1) + " (CelebA test set, ICCV 2015)" }
            out += ".\n\n"
        }
        let attempted = attributes.filter { $0.accuracy != nil }.sorted { ($0.accuracy! - $0.majorityBaseline!) > ($1.accuracy! - $1.majorityBaseline!) }
        let chosen = attempted.contains { $0.contextChosen != nil }
        out += Format.table(["attribute", "positives", "accuracy", "baseline", "balanced accuracy", "LNets+ANet", "above baseline"]
                            + (chosen ? ["context crop chosen"] : []), attempted.map { r in
            [r.attribute, "\(r.positives)/\(r.photos)", Format.percent(r.accuracy!, decimals: 1), Format.percent(r.majorityBaseline!, decimals: 1),
             Format.percent(r.balancedAccuracy!, decimals: 1), r.published.map { Format.percent($0, decimals: 0) } ?? "–",
             r.beatsBaseline! ? "clearly" : r.accuracy! > r.majorityBaseline! ? "yes" : "no"]
                + (chosen ? ["\(r.contextChosen ?? 0) of \(folds) folds"] : [])
        }) + "\n"
        let skipped = attributes.filter { $0.accuracy == nil }
        if !skipped.isEmpty {
            out += "\nNot attempted (too few photos on one side to train and test on):\n\n"
            out += skipped.map { "- \($0.attribute): \($0.reason ?? "")" }.joined(separator: "\n") + "\n"
        }
        for image in unreadableImages { out += "\nUnreadable: `\(image.path)`: \(image.error)" }
        if missingImages > 0 { out += "\n\(missingImages) labelled file(s) have no image.\n" }
        return out
    }
}

extension AttributeResult {
    /// Fills in the cross-validated figures and whether they clearly beat the majority answer.
    mutating func record(_ figures: CrossValidationResult, photos: Int) {
        accuracy = Format.rounded(figures.accuracy)
        balancedAccuracy = Format.rounded(figures.balancedAccuracy)
        majorityBaseline = Format.rounded(figures.majorityBaseline)
        // The baseline's own sampling error on this many photos: two standard errors above it
        // is the least gain that is unlikely to be luck.
        let margin = 2 * (figures.majorityBaseline * (1 - figures.majorityBaseline) / Double(photos)).squareRoot()
        let beats = figures.accuracy > figures.majorityBaseline + margin
        beatsBaseline = beats
        if !beats { reason = "not clearly above always answering the commoner side" }
    }
}
