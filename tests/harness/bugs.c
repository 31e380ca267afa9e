// SPDX-License-Identifier: GPL-2.0
/*
 * Copyright (C) 2026 The kcoap authors.
 *
 * Deliberate kernel bugs, one per load, to prove that qemu/vm fails a run
 * whose kernel reports a problem. Never loaded outside tests/harness/run.
 */
#include <linux/module.h>
#include <linux/slab.h>

static char *bug = "none";
module_param(bug, charp, 0444);
MODULE_PARM_DESC(bug, "leak, use-after-free or warn");

static void *kcoap_bugs_leaked;

static int __init kcoap_bugs_init(void)
{
	char *p;

	if (!strcmp(bug, "leak")) {
		/* Lost on purpose: kmemleak must report it. */
		kcoap_bugs_leaked = kmalloc(64, GFP_KERNEL);
		kcoap_bugs_leaked = NULL;
	} else if (!strcmp(bug, "use-after-free")) {
		p = kmalloc(16, GFP_KERNEL);
		kfree(p);
		if (p)
			pr_info("read after free: %d\n", READ_ONCE(p[3]));
	} else if (!strcmp(bug, "warn")) {
		WARN(1, "deliberate warning");
	}
	return 0;
}

static void __exit kcoap_bugs_exit(void)
{
}

module_init(kcoap_bugs_init);
module_exit(kcoap_bugs_exit);

MODULE_LICENSE("GPL");
MODULE_DESCRIPTION("kcoap test harness self-test: deliberate bugs");
