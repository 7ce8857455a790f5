// The program of every xt_<module>_linkcheck (cmake/XtModule.cmake): it does
// nothing; linking it with the whole of a module's archive and only the
// modules that module depends on is the check.
int main() { return 0; }
