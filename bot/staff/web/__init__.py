"""The staff dashboard under /staff, an application of its own (see bot.staff.web.app)."""
