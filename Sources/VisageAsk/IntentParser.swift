import Foundation
import VisageModels

/// Rule-based question understanding: lower-cased words matched against small vocabularies,
/// in an order that lets the narrower reading win ("who is the oldest" is a superlative, not
/// an identity question; "is she wearing glasses" is declined before "wearing" could match).
///
/// Rules rather than a model because the set of things Visage can answer is small and fixed,
/// and a rule that misfires can be read and fixed; `IntentParserTests` pins each phrasing.
enum IntentParser {
    static func parse(_ question: String) -> (Intent, FaceSelector) {
        let text = Words(question)
        let target = selector(text)
        return (intent(text, original: question), target)
    }

    // MARK: - Intent

    static func intent(_ t: Words, original: String) -> Intent {
        guard !t.tokens.isEmpty else { return .outside(notUnderstood) }

        if !t.isYesNo, let s = superlative(t) { return .superlative(s) }
        if t.has("what is his name", "what is her name", "what is their name", "what is the name", "what is this person s name",
                 "who is this", "who is that", "who is it", "who is he", "who is she", "who are they", "who is in", "who is the person",
                 "who is the man", "who is the woman", "who is on the", "who is this person", "do you know who", "identify",
                 "recognise", "recognize", "his name", "her name", "their name", "name of") {
            return .identity(nil)
        }
        if t.hasPrefix("mask") || t.has("face covering", "covering his face", "covering her face", "covering their face") {
            return countFilter(t, .masked) ?? .mask
        }
        if let outside = unmodelled(t) ?? sensitive(t) ?? deception(t) ?? judgement(t) ?? feelings(t) {
            return .outside(outside)
        }
        if t.has("how many", "number of people", "number of faces", "count the", "count faces", "count people",
                 "how much people", "is anyone", "is anybody", "is there anyone", "is there anybody", "are there people",
                 "are there any people", "any faces", "is there a face", "are there faces", "any people", "anyone") {
            return .count(filter(t))
        }
        if t.has("who is smiling", "who smiles", "which faces are smiling", "which people are smiling", "who is happy",
                 "who are smiling", "who is wearing", "which faces", "which people", "who is female", "who is male") {
            return .count(filter(t))
        }
        if t.hasPrefix("enrol", "enroll") || t.has("good enough", "usable", "suitable", "passport", "id photo", "id picture",
                                                    "photo quality", "image quality", "picture quality", "good quality", "quality",
                                                    "good photo", "good picture", "good for face recognition", "register") {
            return .enrollment
        }
        if t.hasPrefix("blur") || t.has("out of focus", "unfocused", "fuzzy") { return .blur(askedBlurred: true) }
        if t.has("sharp", "in focus", "focused", "crisp") { return .blur(askedBlurred: false) }
        if let expression = expression(t) { return expression }
        if let age = age(t) { return age }
        if let gender = gender(t) { return gender }
        if t.has("looking at the camera", "look at the camera", "looking into the camera", "facing the camera", "face the camera",
                 "looking straight", "facing forward", "facing front", "frontal", "looking at me", "looking at us") {
            return t.isYesNo ? .isFrontal : .pose
        }
        if t.has("pose", "head pose", "which way", "what direction", "profile", "turned", "turning", "looking away",
                 "looking left", "looking right", "head tilted", "tilted", "facing", "head turn", "orientation of") {
            return t.isYesNo && t.has("looking away", "profile", "turned", "turning", "tilted", "head tilted") ? .pose : (t.isYesNo ? .isFrontal : .pose)
        }
        if let name = personName(original) { return .identity(name) }
        if t.has("who") && (t.has("this") || t.has("that")) { return .identity(nil) }
        return .outside(notUnderstood)
    }

    static let notUnderstood = Outside(
        topic: "not understood",
        reason: "Visage did not understand the question. It can answer about apparent age and age group, apparent gender, "
            + "head pose, image quality for enrolment, how many faces there are and which is the oldest or youngest, "
            + "facial expression, masks, and who someone is when given a gallery.")

    static func superlative(_ t: Words) -> Superlative? {
        if t.has("oldest", "eldest", "the most old", "older person", "older one") { return .oldest }
        if t.has("youngest", "the most young", "younger person", "younger one") { return .youngest }
        if t.has("happiest", "smiling the most", "biggest smile", "widest smile", "most happy", "smiles the most", "the most cheerful") { return .happiest }
        if t.has("largest face", "biggest face", "largest", "closest to the camera", "nearest to the camera", "closest", "nearest", "in the foreground") { return .largest }
        return nil
    }

    static func countFilter(_ t: Words, _ filter: CountFilter) -> Intent? {
        t.has("how many", "who is wearing", "who wears", "which faces", "which people", "number of", "is anyone", "is anybody", "anyone")
            ? .count(filter) : nil
    }

    static func filter(_ t: Words) -> CountFilter? {
        if t.hasPrefix("smil", "grin", "laugh") || t.has("happy") { return .smiling }
        if t.hasPrefix("mask") { return .masked }
        if t.has("women", "woman", "girls", "girl", "females", "female", "ladies", "lady") { return .female }
        if t.has("men", "man", "boys", "boy", "males", "male", "guys", "guy", "gentlemen") { return .male }
        return nil
    }

    // MARK: Declined topics

    static func unmodelled(_ t: Words) -> Outside? {
        let topics: [(words: [String], stems: [String], topic: String)] = [
            (["glasses", "eyeglasses", "spectacles", "sunglasses", "specs", "eyewear"], [], "glasses"),
            (["hat", "cap", "hats", "helmet", "headscarf", "hijab", "scarf", "hood"], [], "headwear"),
            (["beard", "bearded", "moustache", "mustache", "goatee", "stubble", "sideburns", "shaved", "clean shaven", "facial hair"], [], "facial hair"),
            (["hair", "bald", "blond", "blonde", "brunette", "redhead", "haircut", "hairstyle", "bangs", "fringe", "ponytail"], [], "hair"),
            (["makeup", "make up", "lipstick", "earrings", "earring", "necklace", "jewellery", "jewelry", "tattoo", "tattoos", "piercing", "tie", "necktie"], [], "make-up and accessories"),
            (["eye colour", "eye color", "colour are", "color are", "colour is", "color is", "colour of", "color of"], [], "colours"),
            (["weight", "fat", "thin", "overweight", "skinny", "obese", "tall", "height", "short"], [], "body size"),
            (["clothes", "clothing", "shirt", "dress", "jacket", "uniform", "wearing"], [], "clothing"),
        ]
        for topic in topics where t.has(topic.words) || t.hasPrefix(topic.stems) {
            return Outside(topic: topic.topic, reason: "Visage has no model for \(topic.topic), so it cannot tell.")
        }
        return nil
    }

    static func sensitive(_ t: Words) -> Outside? {
        if t.has("race", "races", "racial", "ethnicity", "ethnic", "ethnically", "skin colour", "skin color", "skin tone",
                 "asian", "black", "white", "caucasian", "african", "hispanic", "latino", "latina", "arab", "indian",
                 "european", "chinese", "japanese", "korean", "mixed race", "nationality", "where is he from", "where is she from",
                 "where are they from", "what country", "which country", "born in", "immigrant", "citizen") {
            return Outside(topic: "race or ethnicity",
                           reason: "Visage does not estimate race, ethnicity or nationality: it has no such model, and appearance does not tell them.")
        }
        if t.has("religion", "religious", "muslim", "christian", "jewish", "jew", "hindu", "buddhist", "sikh", "catholic", "atheist") {
            return Outside(topic: "religion", reason: "Visage does not guess religion or belief from a face; nothing in a face tells it.")
        }
        if t.has("gay", "lesbian", "bisexual", "straight person", "sexual orientation", "sexuality", "transgender", "trans", "queer", "homosexual") {
            return Outside(topic: "sexual orientation or gender identity",
                           reason: "Visage does not guess sexual orientation or gender identity; its gender model only reads apparent gender from appearance.")
        }
        if t.has("disabled", "disability", "autistic", "autism", "down syndrome", "politics", "political", "vote", "voter",
                 "democrat", "republican", "conservative", "liberal") {
            return Outside(topic: "personal characteristics", reason: "Visage does not infer disability or political views from a face.")
        }
        return nil
    }

    static func deception(_ t: Words) -> Outside? {
        guard t.hasPrefix("lying", "liar", "deceiv", "decepti", "dishonest") || t.has("lie", "lies", "honest", "truth", "truthful", "telling the truth", "fake smile") else { return nil }
        return Outside(topic: "deception",
                       reason: "Visage cannot tell whether someone is lying or honest: it measures nothing of the kind, and no face analysis can tell it reliably.")
    }

    static func judgement(_ t: Words) -> Outside? {
        let topics: [(words: [String], topic: String)] = [
            (["attractive", "beautiful", "pretty", "handsome", "ugly", "hot", "cute", "sexy", "good looking", "good-looking", "gorgeous", "beauty"], "attractiveness"),
            (["trustworthy", "trust", "criminal", "dangerous", "guilty", "innocent", "smart", "intelligent", "clever", "stupid", "dumb",
              "nice person", "personality", "character", "friendly", "honesty", "iq", "competent", "confident"], "personality or character"),
            (["healthy", "sick", "ill", "illness", "disease", "pregnant", "drunk", "sober", "tired", "sleepy", "pain"], "health"),
            (["rich", "poor", "wealthy", "job", "profession", "occupation", "work as", "married", "boyfriend", "girlfriend", "husband", "wife", "famous", "celebrity"], "personal life"),
        ]
        for topic in topics where t.has(topic.words) {
            return Outside(topic: topic.topic, reason: "Visage does not judge \(topic.topic) from a face; it measures nothing that would tell it.")
        }
        return nil
    }

    static func feelings(_ t: Words) -> Outside? {
        guard t.hasPrefix("feel", "depress", "anxi", "nervous", "stress", "bored", "lonel", "jealous", "excite",
                          "confus", "thinking", "worr", "frustrat", "embarrass", "proud", "ashamed", "guilt", "calm", "relax", "content",
                          "emotional state", "state of mind", "mental")
            || t.has("in love", "love", "loves", "loving", "frown", "frowning", "grumpy", "pensive", "sarcastic", "interested", "curious") else { return nil }
        return Outside(topic: "feelings", reason: "Visage cannot tell what someone feels or thinks; it reads facial expressions (angry, disgust, fear, "
            + "happy, neutral, sad, surprise), which show on a face but are not feelings. Ask \"what is her expression?\".")
    }

    // MARK: Measured topics

    static func expression(_ t: Words) -> Intent? {
        let labels: [(label: String, words: [String], stems: [String])] = [
            ("happy", ["happy", "joyful", "cheerful", "glad", "delighted", "pleased"], ["smil", "grin", "laugh"]),
            ("sad", ["sad", "unhappy", "crying", "cry", "upset", "sorrowful", "tearful", "gloomy"], []),
            ("angry", ["angry", "mad", "furious", "annoyed", "irritated", "anger"], []),
            ("surprise", ["surprised", "surprise", "shocked", "astonished", "amazed", "startled"], []),
            ("fear", ["scared", "afraid", "fearful", "frightened", "fear", "terrified"], []),
            ("disgust", ["disgusted", "disgust", "grossed out", "repulsed"], []),
            ("neutral", ["neutral", "expressionless", "straight face", "blank expression", "poker face", "serious"], []),
        ]
        if t.has("expression", "expressions", "emotion", "emotions", "mood", "how does he look", "how does she look",
                 "how do they look", "how is he looking", "how is she looking", "face showing", "facial expression") && !t.isYesNo {
            return .expression
        }
        for entry in labels where t.has(entry.words) || t.hasPrefix(entry.stems) {
            return .isExpression(entry.label)
        }
        if t.has("expression", "emotion", "mood") { return .expression }
        return nil
    }

    static func age(_ t: Words) -> Intent? {
        if t.has("age group", "age range", "age bracket", "age band", "age category", "decade", "generation", "age class") { return .ageGroup }
        if t.has("how old", "what age", "which age", "how many years") { return .age }
        if let range = ageRange(t) { return .ageCheck(range) }
        if t.has("how old", "age", "ages", "aged", "years old", "year old", "what year", "born", "birth", "estimate the age", "estimated age") { return .age }
        return nil
    }

    static func ageRange(_ t: Words) -> AgeRange? {
        let numbers = t.tokens.compactMap { Int($0) }
        if let n = numbers.first {
            if t.has("over", "older than", "above", "more than", "at least", "or older", "or more", "plus") {
                return AgeRange(Float(n)..<200, t.has("at least", "or older", "or more") ? "\(n) or older" : "over \(n)")
            }
            if t.has("under", "younger than", "below", "less than", "not yet") { return AgeRange(0..<Float(n), "under \(n)") }
            if t.has("in his", "in her", "in their", "in the") || t.tokens.contains(where: { $0.hasSuffix("s") && Int($0.dropLast()) != nil }) {
                return AgeRange(Float(n / 10 * 10)..<Float(n / 10 * 10 + 10), "in the \(n / 10 * 10)s")
            }
        }
        let decades: [(String, Int)] = [("teens", 10), ("twenties", 20), ("thirties", 30), ("forties", 40), ("fifties", 50),
                                        ("sixties", 60), ("seventies", 70), ("eighties", 80), ("nineties", 90)]
        for (word, low) in decades where t.has(word) {
            return low == 10 ? .teenager : AgeRange(Float(low)..<Float(low + 10), "in the \(word)")
        }
        for token in t.tokens where token.hasSuffix("s") {
            if let n = Int(token.dropLast()), n % 10 == 0, (10...90).contains(n) {
                return AgeRange(Float(n)..<Float(n + 10), "in the \(n)s")
            }
        }
        if t.has("baby", "infant", "toddler") { return AgeRange(0..<3, "a baby or toddler") }
        if t.has("child", "kid", "children", "kids", "little boy", "little girl") { return .child }
        if t.has("teenager", "teen", "teenage", "adolescent") { return .teenager }
        if t.has("minor", "underage", "under age") { return .minor }
        if t.has("adult", "grown up", "grownup", "grown-up", "of age") { return .adult }
        if t.has("senior", "elderly", "pensioner", "retired", "aged person") { return .senior }
        if t.has("young", "youthful") { return .young }
        if t.has("old", "old person", "old man", "old woman", "older") { return .old }
        return nil
    }

    static func gender(_ t: Words) -> Intent? {
        if t.has("gender", "sex", "male or female", "female or male", "man or woman", "woman or man", "boy or girl", "girl or boy",
                 "man or a woman", "woman or a man", "boy or a girl", "girl or a boy",
                 "men or women", "guy or girl") {
            return .gender
        }
        // Words naming the face being asked about ("the woman on the left") are not the question.
        var tokens = t.tokens
        var i = 0
        while i < tokens.count {
            if tokens[i] == "the", i + 1 < tokens.count, Words.genderNouns[tokens[i + 1]] != nil { tokens.removeSubrange(i...(i + 1)) } else { i += 1 }
        }
        guard t.isYesNo, let label = tokens.reversed().lazy.compactMap({ Words.genderNouns[$0] }).first else { return nil }
        return .isGender(label)
    }

    /// "Is this Ada Lovelace?", "Is the person on the left Alan Turing?": the name asked about.
    static func personName(_ question: String) -> String? {
        let trimmed = question.trimmingCharacters(in: .whitespacesAndNewlines.union(.punctuationCharacters))
        let words = trimmed.split(whereSeparator: \.isWhitespace).map(String.init)
        guard let first = words.first?.lowercased(),
              ["is", "isn't", "isn’t", "does", "could", "can", "might", "would"].contains(first) else { return nil }
        // The longest run of capitalised words after the first word is the name.
        var best: [String] = [], run: [String] = []
        let connectors: Set<String> = ["de", "van", "von", "der", "da", "di", "le", "la", "bin", "al"]
        for word in words.dropFirst() {
            let cleaned = word.trimmingCharacters(in: .punctuationCharacters.subtracting(CharacterSet(charactersIn: "-'.")))
            if let c = cleaned.first, c.isUppercase, cleaned != "I" { run.append(cleaned) }
            else if !run.isEmpty, connectors.contains(cleaned) { run.append(cleaned) }
            else { if run.count > best.count { best = run }; run = [] }
        }
        if run.count > best.count { best = run }
        while let last = best.last, connectors.contains(last) { best.removeLast() }
        if !best.isEmpty { return best.joined(separator: " ") }
        // Lower-case "is this ada lovelace": what follows "is this/that (person)" when it is short.
        let lower = Words(question).tokens
        for prefix in [["is", "this", "person"], ["is", "that", "person"], ["is", "this"], ["is", "that"], ["is", "it"]] {
            guard lower.starts(with: prefix) else { continue }
            let rest = lower.dropFirst(prefix.count)
            let stop: Set<String> = ["a", "an", "the", "photo", "picture", "image", "person", "face", "one", "good", "ok", "okay", "real"]
            guard (1...3).contains(rest.count), !rest.contains(where: stop.contains) else { return nil }
            return rest.map(\.capitalized).joined(separator: " ")
        }
        return nil
    }

    // MARK: - Selector

    static func selector(_ t: Words) -> FaceSelector {
        var s = FaceSelector()
        if let m = t.padded.firstMatch(of: #/ (?:face|person|number|no|#) ?#? ?(\d+) /#), let n = Int(m.output.1) {
            s.ordinal = n
        } else if let m = t.padded.firstMatch(of: #/ (first|second|third|fourth|fifth|sixth|seventh|eighth|ninth|tenth|\d+(?:st|nd|rd|th)) /#) {
            let words = ["first", "second", "third", "fourth", "fifth", "sixth", "seventh", "eighth", "ninth", "tenth"]
            let word = String(m.output.1)
            s.ordinal = words.firstIndex(of: word).map { $0 + 1 } ?? Int(word.dropLast(2))
            s.fromRight = t.has("from the right", "from right")
        }
        if s.ordinal == nil {
            let turned = t.has("turned to the", "looking to the", "facing the left", "facing the right", "facing to the", "looking left", "looking right")
            if t.has("leftmost", "far left", "left one", "left face", "left person") || (!turned && t.has("on the left", "at the left", "to the left")) {
                s.position = .left
            } else if t.has("rightmost", "far right", "right one", "right face", "right person") || (!turned && t.has("on the right", "at the right", "to the right")) {
                s.position = .right
            } else if t.has("in the middle", "in the centre", "in the center", "middle one", "centre one", "center one", "middle person", "central") {
                s.position = .centre
            } else if t.has("at the top", "top one", "in the back", "at the back") {
                s.position = .top
            } else if t.has("at the bottom", "bottom one", "in the front", "at the front") {
                s.position = .bottom
            }
        }
        for (i, token) in t.tokens.enumerated() where token == "the" && i + 1 < t.tokens.count {
            if let g = Words.genderNouns[t.tokens[i + 1]] { s.gender = g; break }
        }
        return s
    }
}

/// A question reduced to lower-case words with contractions expanded and punctuation removed,
/// padded with spaces so that phrases match on word boundaries.
struct Words {
    let tokens: [String]
    let padded: String

    static let genderNouns: [String: GenderLabel] = [
        "man": .male, "men": .male, "boy": .male, "male": .male, "guy": .male, "gentleman": .male, "he": .male, "him": .male, "his": .male,
        "woman": .female, "women": .female, "girl": .female, "female": .female, "lady": .female, "she": .female, "her": .female,
    ].filter { !["he", "him", "his", "she", "her"].contains($0.key) }

    init(_ text: String) {
        var s = text.lowercased().replacingOccurrences(of: "’", with: "'")
        for (from, to) in [("what's", "what is"), ("who's", "who is"), ("he's", "he is"), ("she's", "she is"), ("it's", "it is"),
                           ("that's", "that is"), ("there's", "there is"), ("isn't", "is not"), ("aren't", "are not"),
                           ("doesn't", "does not"), ("don't", "do not"), ("they're", "they are"), ("how's", "how is"),
                           ("where's", "where is"), ("can't", "cannot")] {
            s = s.replacingOccurrences(of: from, with: to)
        }
        let kept = s.unicodeScalars.map { CharacterSet.alphanumerics.contains($0) || $0 == "#" || $0 == "+" ? Character($0) : " " }
        tokens = String(kept).split(separator: " ").map(String.init)
        padded = " " + tokens.joined(separator: " ") + " "
    }

    func has(_ phrases: String...) -> Bool { has(phrases) }
    func has(_ phrases: [String]) -> Bool { phrases.contains { padded.contains(" \($0) ") } }
    func hasPrefix(_ stems: String...) -> Bool { hasPrefix(stems) }
    func hasPrefix(_ stems: [String]) -> Bool { tokens.contains { token in stems.contains { token.hasPrefix($0) } } }

    /// Starts like a yes/no question ("is", "are", "does", …).
    var isYesNo: Bool {
        guard let first = tokens.first else { return false }
        return ["is", "are", "does", "do", "can", "has", "have", "was", "were", "could", "will", "would", "should", "am", "did"].contains(first)
    }
}
