import asyncio, itertools, collections
from benchmarks.corpus import measure as m
from benchmarks.corpus.split import part_of
from githubapp.pipeline.changes import PullChange, change_loci
cases=[c for c in m.load() if part_of(c.project)=="held-out"]
cases.sort(key=lambda c: m._first_stamp(c.log))
prov, ch = m.case_sources(cases)
fails=asyncio.run(m.replayed(cases))
causes=[{f["root_cause"] for f in c.failures} for c in cases]
async def loci(c):
    lines=ch(c.log)
    return set(await change_loci(PullChange(tuple(lines),lines), prov(c.log), max_files=8))
cnt=collections.Counter()
async def go():
  for a,b in itertools.combinations(range(len(cases)),2):
    if causes[a]&causes[b]: continue
    mine={int(f["pattern_id"]):f for f in fails[a]}
    for o in fails[b]:
        f=mine.get(int(o["pattern_id"]))
        if f is None: continue
        la=await loci(cases[a]); lb=await loci(cases[b])
        shared=la&lb
        cnt[(f["signature"]["tool"], len(la), len(lb), len(shared), sum('#' in x for x in shared))]+=1
        break
asyncio.run(go())
print(cnt)
