/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Saved display filters and colouring rules name Wireshark's own msnlb fields (msnlb,
 * msnlb.cluster_ip, msnlb.host_ip, msnlb.unique_host_id, ...). Since the plugin takes 0x886F
 * over, a heartbeat it decodes is handed to the built-in msnlb dissector as well, so every
 * msnlb.* field exists with msnlb's own meaning and values. Its tree is hidden (the nlb tree
 * says the same with more; "Display hidden protocol items" shows it), its column text is
 * discarded, and an exception it raises (a heartbeat cut by the snaplen) is swallowed: the
 * nlb decode already said so. Only with a tree: without one no field can be filtered on. */
#include <epan/exceptions.h>

#include "nlb.h"

void nlb_msnlb_fields(dissector_handle_t msnlb, tvbuff_t *tvb, packet_info *pinfo, proto_tree *tree, void *data)
{
    if (!msnlb || !tree)
        return;
    proto_node *before = tree->last_child;
    gboolean writable = col_get_writable(pinfo->cinfo, -1);
    col_set_writable(pinfo->cinfo, -1, FALSE);
    TRY {
        call_dissector_only(msnlb, tvb, pinfo, tree, data);
    }
    CATCH_ALL {
    }
    ENDTRY;
    col_set_writable(pinfo->cinfo, -1, writable);
    if (tree->last_child && tree->last_child != before)
        proto_item_set_hidden(tree->last_child);
}
