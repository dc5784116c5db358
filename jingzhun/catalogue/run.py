"""Codes of the yearly pipeline (``jingzhun run``), monitoring report and verify."""

from jingzhun.catalogue import Rule

RULES = [
    Rule(
        "R-STEP-FAILED",
        "error",
        "步骤 {key} 未能完成: {detail}",
        "step {key} could not finish: {detail}",
        "流水线: 一个步骤失败时, 不依赖它的步骤继续运行",
        "pipeline: steps that do not depend on a failed step still run",
    ),
    Rule(
        "R-STEP-SKIPPED",
        "warning",
        "步骤 {key} 已跳过: {detail}",
        "step {key} skipped: {detail}",
        "流水线: 缺少所需的表或前一步失败",
        "pipeline: a table it needs is missing or a step it depends on failed",
    ),
    Rule(
        "R-VERIFY-CHANGED",
        "error",
        "输出文件 {value} 与 manifest.json 记录的哈希不一致",
        "output file {value} differs from the hash in manifest.json",
        "jingzhun 数据格式约定 (docs/data-contract.md) 第 6 部分: manifest 记录每个输出文件的 SHA-256",
        "jingzhun data contract (docs/data-contract.md), part 6: the manifest records every output's SHA-256",
    ),
    Rule(
        "R-VERIFY-MISSING",
        "error",
        "manifest.json 列出的输出文件 {value} 不存在",
        "output file {value} listed in manifest.json is missing",
        "jingzhun 数据格式约定 (docs/data-contract.md) 第 6 部分",
        "jingzhun data contract (docs/data-contract.md), part 6",
    ),
    Rule(
        "R-VERIFY-EXTRA",
        "error",
        "输出文件夹中有 manifest.json 未列出的文件 {value}",
        "file {value} in the output folder is not listed in manifest.json",
        "jingzhun 数据格式约定 (docs/data-contract.md) 第 6 部分",
        "jingzhun data contract (docs/data-contract.md), part 6",
    ),
]

RULES += [
    Rule(
        "R-STEP-NOT-APPLICABLE",
        "info",
        "步骤 {key} 不适用: {detail}",
        "step {key} does not apply: {detail}",
        "流水线: 可选的表不存在时, 用到它的步骤不运行",
        "pipeline: a step whose optional table is absent does not run",
    ),
    Rule(
        "R-TABLE-UNREADABLE",
        "error",
        "表 {key} 无法读取, 读取它的步骤 (校验除外) 未运行, 依赖这些步骤的也跳过: {detail}",
        "table {key} cannot be read; the steps reading it (validate excepted) did not run, "
        "nor those depending on them: {detail}",
        "jingzhun 数据格式约定 (docs/data-contract.md) 第 1 部分: 坏文件给出明确的问题, 其余照常运行",
        "jingzhun data contract (docs/data-contract.md), part 1: a bad file gives a clear finding and the rest runs",
    ),
    Rule(
        "R-LOCK-STALE",
        "info",
        "上一次运行 (进程 {value}) 未正常结束, 它留下的锁已被接管; 以前的完整结果未受影响",
        "an earlier run (process {value}) did not end normally; its lock was taken over; the previous "
        "complete results were not affected",
        "jingzhun 数据格式约定 (docs/data-contract.md) 第 5 部分: 被中止的运行不留下看似完整的结果, 也不阻止以后的运行",
        "jingzhun data contract (docs/data-contract.md), part 5: a stopped run leaves nothing that looks "
        "complete and does not block later runs",
    ),
]
