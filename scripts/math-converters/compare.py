"""Helper of measure.sh: `extract BOOK.md DIR` writes DIR/formulas.json and DIR/ref.md;
`compare DIR [CONVERTER]` counts, per converter, the formulas it converted, those whose MathML
is well-formed XML, and those whose symbols (token text, invisible operators and spacing
ignored, Unicode NFKC) equal pandoc's; with CONVERTER, lists that one's misses."""
import json,re,unicodedata,sys
import xml.etree.ElementTree as ET
if sys.argv[1]=='extract':
    text=open(sys.argv[2],encoding='utf-8').read().split('\n---\n',1)[1]
    forms=[]
    for line in text.split('\n'):
        m=re.fullmatch(r'\$\$(.*)\$\$',line) or re.fullmatch(r'Line \d+: \$(.*)\$\.',line)
        if m: forms.append({'tex':m.group(1)})
    json.dump(forms,open(sys.argv[3]+'/formulas.json','w'))
    open(sys.argv[3]+'/ref.md','w').write('\n\n'.join('$$'+f['tex']+'$$' for f in forms)+'\n')
    sys.exit(0)
work=sys.argv[2]
forms=json.load(open(work+'/formulas.json')); res=json.load(open(work+'/results.json'))
html=open(work+'/ref.html').read()
paras=re.findall(r'<p>(.*?)</p>',html,re.S)
assert len(paras)==len(forms),(len(paras),len(forms))
NS='{http://www.w3.org/1998/Math/MathML}'
INVIS=dict.fromkeys(map(ord,'\u2061\u2062\u2063\u2064\u200b \n\t\u00a0\u2009\u205f\u2005\u2004\u2006\u200a'),None)
MAP={'\u2212':'-','\u2236':':','\u2217':'*','\u2032':"'",'\u22c5':'\u00b7','\u2223':'|','\u2016':'\u2225','\u27e8':'\u2329','\u27e9':'\u232a','\u2329':'\u27e8'}
def toks(xml):
    try: root=ET.fromstring(xml)
    except Exception as e: return None
    s=''
    for el in root.iter():
        tag=el.tag.replace(NS,'')
        if tag in('annotation','annotation-xml'): break
        if tag in ('mi','mn','mo','mtext','ms') and el.text:
            s+=el.text
    s=s.translate(INVIS)
    s=''.join(MAP.get(c,c) for c in s)
    s=unicodedata.normalize('NFKC',s)
    return s
names=['pulldown-latex','latex2mathml','math-core','math-core-0.4']
stats={n:{'ok':0,'err':0,'badxml':0,'match':0} for n in names}
mism={n:[] for n in names}
for i,(f,r,p) in enumerate(zip(forms,res,paras)):
    ref=toks(p) if '<math' in p else None
    for n in names:
        v=r[n]
        if 'err' in v: stats[n]['err']+=1; mism[n].append((i,f['tex'],'ERR '+v['err'][:100])); continue
        stats[n]['ok']+=1
        t=toks(v['ok'])
        if t is None: stats[n]['badxml']+=1; mism[n].append((i,f['tex'],'BADXML')); continue
        if ref is not None and t==ref: stats[n]['match']+=1
        else: mism[n].append((i,f['tex'],f'{t!r} vs ref {ref!r}'))
print(json.dumps(stats,indent=1))
if len(sys.argv)>3 and sys.argv[3]:
    for i,t,why in mism[sys.argv[3]]: print(i,t,'\n   ',why)
