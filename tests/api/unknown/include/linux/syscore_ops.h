/* neither shape */
extern void register_syscore_things(void *);
