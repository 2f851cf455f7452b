/* SPDX-License-Identifier: GPL-2.0-or-later */
/* placeholder: implemented by the analysis work (issue 5) */
