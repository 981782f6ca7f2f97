"""Surgical masks, real beside rendered (issue 18 item 2): a sheet of crops and the mask region's statistics.

Real "blue" crops: the mask region (rows 66-99, columns 30-81 of the 112 x 112 crop) has a median
colour with blue - red > 25 and luma > 110; "white": every channel > 165 and within 25 of each
other (no near-copies). Rendered: the surgical-blue / surgical-white rows of mask-manifest.tsv.
Printed per set: median luma, mean horizontal and vertical gradient, std of the region.

  python training/mask/surgical_compare.py CROPS_REAL CROPS_RENDERED MANIFEST OUT.png
"""
import os, sys, numpy as np
from PIL import Image, ImageDraw
real_root, rend_root, manifest, out = sys.argv[1:5]
def region(p):
    a=np.asarray(Image.open(p).convert("RGB"),np.float32)
    return a[66:100,30:82].reshape(-1,3)
def kind(c):
    r,g,b=c; l=.299*r+.587*g+.114*b
    if b-r>25 and l>110: return "blue"
    if min(r,g,b)>165 and max(r,g,b)-min(r,g,b)<25: return "white"
    return None
real=[os.path.join(d,f) for d,_,fs in os.walk(real_root) for f in fs if f.endswith('.png') and '_copy' not in f]
rng=np.random.default_rng(3); rng.shuffle(real)
sel={"blue":[],"white":[]}
stats={"blue":[],"white":[]}
for p in real:
    k=kind(np.median(region(p),0))
    if k: sel[k].append(p); stats[k].append(region(p))
rend={"surgical-blue":[],"surgical-white":[]}
for line in open(manifest):
    f=line.rstrip("\n").split("\t")
    if len(f)>=3 and f[1]=="masked" and f[2].split(",")[0] in rend:
        q=os.path.join(rend_root,f[0]+".png")
        if os.path.exists(q): rend[f[2].split(",")[0]].append(q)
def desc(ps):
    m=[]; 
    for p in ps:
        reg=np.asarray(Image.open(p).convert("L"),np.float32)[66:100,30:82]
        m.append((np.median(reg), np.abs(np.diff(reg,axis=1)).mean(), np.abs(np.diff(reg,axis=0)).mean(), reg.std()))
    return np.round(np.median(np.array(m),0),2)
print("real blue",len(sel["blue"]),desc(sel["blue"]),"white",len(sel["white"]),desc(sel["white"]))
for k,v in rend.items(): print("rendered",k,len(v),desc(v))
rows=[("real blue",sel["blue"][:10]),("rendered surgical-blue",rend["surgical-blue"][:10]),("real white",sel["white"][:10]),("rendered surgical-white",rend["surgical-white"][:10])]
S=2;tile=112*S;lab=20
sheet=Image.new("RGB",(tile*10,(tile+lab)*4),"white");d=ImageDraw.Draw(sheet)
for r,(n,ps) in enumerate(rows):
    d.text((4,r*(tile+lab)+4),n,fill="black")
    for i,p in enumerate(ps): sheet.paste(Image.open(p).convert("RGB").resize((tile,tile)),(i*tile,r*(tile+lab)+lab))
sheet.save(out)
