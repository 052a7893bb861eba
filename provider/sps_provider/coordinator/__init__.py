"""Every SPS write of one appliance goes through here, in two parts.

`group_commit.GroupCommit` decides *when* a transaction is made: Terraform's calls hold a `Slot`
each (its -parallelism slot), submit their writes through it and wait; the changes gathered while
calls are still on their way become one batch (`gather.Gather` is the rule). `transactions.
Transactions` turns a batch into one SPS transaction: open (waiting for the configuration lock),
write, commit, and where an answer was lost, read back (`read_back`), revert and replay. The
data passed between them is `changes.Change`; `outcomes` holds the errors a change can end with.
"""
