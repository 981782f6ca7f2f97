/// LNets+ANet's published accuracy per CelebA attribute (Liu, Luo, Wang and Tang, "Deep
/// Learning Face Attributes in the Wild", ICCV 2015, Table 1, CelebA test set of 19,962
/// photos; mean 87%), the reference `visage eval attributes` prints beside its own figures.
/// Ours are cross-validated on 291 photos, so the comparison is indicative only.
enum LNetANetFigures {
    static let accuracy: [String: Double] = [
        "5_o_Clock_Shadow": 0.91, "Arched_Eyebrows": 0.79, "Attractive": 0.81, "Bags_Under_Eyes": 0.79, "Bald": 0.98,
        "Bangs": 0.95, "Big_Lips": 0.68, "Big_Nose": 0.78, "Black_Hair": 0.88, "Blond_Hair": 0.95,
        "Blurry": 0.84, "Brown_Hair": 0.80, "Bushy_Eyebrows": 0.90, "Chubby": 0.91, "Double_Chin": 0.92,
        "Eyeglasses": 0.99, "Goatee": 0.95, "Gray_Hair": 0.97, "Heavy_Makeup": 0.90, "High_Cheekbones": 0.87,
        "Male": 0.98, "Mouth_Slightly_Open": 0.92, "Mustache": 0.95, "Narrow_Eyes": 0.81, "No_Beard": 0.95,
        "Oval_Face": 0.66, "Pale_Skin": 0.91, "Pointy_Nose": 0.72, "Receding_Hairline": 0.89, "Rosy_Cheeks": 0.90,
        "Sideburns": 0.96, "Smiling": 0.92, "Straight_Hair": 0.73, "Wavy_Hair": 0.80, "Wearing_Earrings": 0.82,
        "Wearing_Hat": 0.99, "Wearing_Lipstick": 0.93, "Wearing_Necklace": 0.71, "Wearing_Necktie": 0.93, "Young": 0.87,
    ]
}
