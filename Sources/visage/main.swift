print("visage")
